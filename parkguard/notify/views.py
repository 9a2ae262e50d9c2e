"""Pages of the notification app: the inbox, group-robot settings, a park's reminder clock."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from parkguard.lib.forms import form_errors_apply
from parkguard.notify import selectors, services
from parkguard.notify.forms import ReminderConfigForm, WebhookForm
from parkguard.notify.models import Webhook
from parkguard.orgs.access import get_visible_or_404, scope_of, visible
from parkguard.orgs.models import Enterprise, Jurisdiction

INBOX_PAGE = 30


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    unread_only = request.GET.get("unread") == "1"
    page = Paginator(selectors.inbox_list(scope=scope, unread_only=unread_only), INBOX_PAGE)
    return render(
        request,
        "notify/inbox.html",
        {"page": page.get_page(request.GET.get("page")), "unread_only": unread_only},
    )


@login_required
@require_POST
def inbox_read(request: HttpRequest, message_id: int) -> HttpResponse:
    scope = scope_of(request)
    message = get_visible_or_404(scope, selectors.inbox_list(scope=scope), pk=message_id)
    message = services.message_read(scope=scope, message=message, at=timezone.now())
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "notify/_message.html", {"m": message, "oob_badge": True})
    if message.local_link:
        return redirect(message.local_link)
    return redirect("inbox")


@login_required
@require_POST
def inbox_read_all(request: HttpRequest) -> HttpResponse:
    count = services.message_mark_all_read(scope=scope_of(request), at=timezone.now())
    messages.success(request, f"已将 {count} 条消息标为已读")
    return redirect("inbox")


def _owner(scope: Any, value: str) -> dict[str, Any]:
    """`e:12` / `j:3` from the owner list, looked up through the scope (404 if not visible)."""
    kind, _, pk = (value or "").partition(":")
    if kind == "e":
        return {"enterprise": get_visible_or_404(scope, Enterprise, pk=pk)}
    if kind == "j":
        return {"jurisdiction": get_visible_or_404(scope, Jurisdiction, pk=pk)}
    return {}


@login_required
@require_http_methods(["GET", "POST"])
def webhooks(request: HttpRequest) -> HttpResponse:
    """The group robots the caller manages, and a form to add one (off until enabled)."""
    scope = scope_of(request)
    enterprises, parks = selectors.webhook_owners(scope=scope)
    if not (scope.superuser or enterprises.exists() or parks.exists()):
        raise PermissionDenied
    form = WebhookForm(request.POST or None, enterprises=enterprises, parks=parks)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            hook = services.webhook_create(
                scope=scope,
                **_owner(scope, data["owner"]),
                name=data["name"],
                vendor=data["vendor"],
                url=data["url"],
                signed=data["signed"],
                secret=data["secret"],
                kinds=data["kinds"],
                enabled=data["enabled"],
                by=cast(User, request.user),
                at=timezone.now(),
            )
        except ValidationError as exc:
            form_errors_apply(form, exc)
        else:
            messages.success(request, f"已添加群机器人：{hook.name}")
            return redirect("webhooks")
    return render(
        request,
        "notify/webhooks.html",
        {
            "form": form,
            "hooks": selectors.webhook_list(scope=scope),
            "parks": parks,
        },
    )


def _hook(request: HttpRequest, webhook_id: int) -> Webhook:
    scope = scope_of(request)
    return get_visible_or_404(scope, selectors.webhook_list(scope=scope), pk=webhook_id)


@login_required
@require_http_methods(["GET", "POST"])
def webhook_edit(request: HttpRequest, webhook_id: int) -> HttpResponse:
    scope = scope_of(request)
    hook = _hook(request, webhook_id)
    initial = {
        "name": hook.name,
        "vendor": hook.vendor,
        "signed": hook.signed,
        "kinds": hook.kinds,
        "enabled": hook.enabled,
    }
    form = WebhookForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.webhook_update(
                scope=scope,
                webhook=hook,
                name=data["name"],
                vendor=data["vendor"],
                url=data["url"],
                signed=data["signed"],
                secret=data["secret"],
                kinds=data["kinds"],
                enabled=data["enabled"],
                at=timezone.now(),
            )
        except ValidationError as exc:
            form_errors_apply(form, exc)
        else:
            messages.success(request, "已保存")
            return redirect("webhooks")
    return render(
        request,
        "notify/webhook_edit.html",
        {
            "hook": hook,
            "form": form,
            "deliveries": selectors.delivery_list(scope=scope, webhook=hook),
        },
    )


@login_required
@require_POST
def webhook_test(request: HttpRequest, webhook_id: int) -> HttpResponse:
    hook = _hook(request, webhook_id)
    services.webhook_test_send(scope=scope_of(request), webhook=hook, at=timezone.now())
    messages.success(request, f"测试消息已排队发送到：{hook.name}；稍后刷新本页查看结果")
    return redirect("webhook_edit", webhook_id=hook.pk)


@login_required
@require_POST
def webhook_delete(request: HttpRequest, webhook_id: int) -> HttpResponse:
    hook = _hook(request, webhook_id)
    services.webhook_delete(scope=scope_of(request), webhook=hook)
    messages.success(request, f"已删除：{hook.name}")
    return redirect("webhooks")


@login_required
@require_http_methods(["GET", "POST"])
def reminder_config(request: HttpRequest, jurisdiction_id: int) -> HttpResponse:
    """A park's reminder times (park admins)."""
    scope = scope_of(request)
    park = get_visible_or_404(
        scope, visible(scope, Jurisdiction, "manage_webhooks"), pk=jurisdiction_id
    )
    current = selectors.reminder_config_for(park=park)
    initial = (
        {"declare_remind_at": current.declare_remind_at, "digest_at": current.digest_at}
        if current
        else {}
    )
    form = ReminderConfigForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.reminder_config_save(
                scope=scope, park=park, at=timezone.now(), **form.cleaned_data
            )
        except ValidationError as exc:
            form_errors_apply(form, exc)
        else:
            messages.success(request, "提醒时间已保存")
            return redirect("webhooks")
    return render(request, "notify/reminder_config.html", {"park": park, "form": form})

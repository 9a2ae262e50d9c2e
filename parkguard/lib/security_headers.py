"""Security headers on every response: a content security policy and a permissions policy.

Django's SecurityMiddleware already sends `X-Content-Type-Options: nosniff`,
`Referrer-Policy: same-origin` and `Cross-Origin-Opener-Policy: same-origin`, and the
clickjacking middleware `X-Frame-Options: DENY`; this adds what Django lacks. It is a few
lines of our own rather than django-csp because the policy is one fixed string: no nonces
(no template has an inline script, `tests/test_no_inline_script.py` keeps it so), no
per-view changes, no reporting endpoint.

- scripts only from this site (`script-src 'self'`): no inline `<script>`, no `on*=`
  attribute, no `javascript:` link, no `eval`; `'wasm-unsafe-eval'` lets the gate kiosk
  compile the QR reader's WebAssembly served from here (it is not JavaScript eval);
- styles from this site only (`style-src 'self'`): no `<style>` element and no `style=`
  attribute in any page (tests/test_content_security.py scans the templates); scripts
  still set styles through the CSSOM (`element.style`, as ECharts and the site plan's pins
  do), which the policy allows;
- no plug-ins, no `<base>` elsewhere, forms post only here, no framing by other sites;
- the camera for this site only (the gate kiosk scans with it), no microphone, no location.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'wasm-unsafe-eval'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "media-src 'self' blob:",
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
PERMISSIONS_POLICY = "camera=(self), microphone=(), geolocation=(), payment=(), usb=()"
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Permissions-Policy": PERMISSIONS_POLICY,
    "Cross-Origin-Resource-Policy": "same-origin",
}


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        for name, value in HEADERS.items():
            if name not in response:
                response[name] = value
        return response

"""Re-normalise ID numbers and phones stored before look-alike digits were folded (issue 8 §2).

Every ID number is decrypted, folded by `id_normalise` (NFKC, spaces out, upper case) and,
when that changes it, re-digested, re-encrypted and re-masked; phones are re-parsed. Nothing
is deleted and nothing is merged silently:

- a row whose folded number equals another row's in the same enterprise keeps its old
  stored forms and is reported ("not merged"): a person must check the two records;
- a folded number that now matches a row of another enterprise needs nothing more: the
  park's ID-conflict view (`id_conflicts`) lists it from now on, and it is reported;
- a value that cannot be folded (non-ASCII digits) or decrypted is left and reported.

The report goes to standard output (and is returned, for tests).
"""

from __future__ import annotations

from typing import Any

from django.db import migrations


def renormalise(apps: Any, schema_editor: Any) -> list[str]:
    from parkguard.people.identity import (
        IdentityError,
        id_cipher,
        id_digest,
        id_mask,
        id_normalise,
        phone_parse,
    )

    Person = apps.get_model("people", "Person")
    HouseholdMember = apps.get_model("people", "HouseholdMember")
    cipher = id_cipher()
    report: list[str] = []
    for person in Person.objects.order_by("id").iterator():
        changed: list[str] = []
        try:
            clear = cipher.decrypt(person.id_encrypted)
        except RuntimeError:
            report.append(f"人员 #{person.pk}：身份证号密文无法解密，未处理")
            clear = None
        if clear is not None:
            try:
                number = id_normalise(clear)
            except IdentityError:
                report.append(f"人员 #{person.pk}：身份证号含无法识别的字符，未处理，请人工更正")
                number = clear
            if number != clear:
                digest = id_digest(number)
                twin = (
                    Person.objects.filter(enterprise_id=person.enterprise_id, id_digest=digest)
                    .exclude(pk=person.pk)
                    .first()
                )
                if twin is not None:
                    report.append(
                        f"人员 #{person.pk} 与同企业的人员 #{twin.pk} 是同一身份证号"
                        f"（{id_mask(number)}）：未合并，请核对后删除或更正其一"
                    )
                else:
                    others = (
                        Person.objects.filter(id_digest=digest)
                        .exclude(enterprise_id=person.enterprise_id)
                        .count()
                    )
                    if others:
                        report.append(
                            f"人员 #{person.pk}（{id_mask(number)}）与其他企业的 {others} 条记录"
                            "身份证号相同：已列入园区的身份证号冲突处理"
                        )
                    person.id_digest = digest
                    person.id_encrypted = cipher.encrypt(number)
                    person.id_masked = id_mask(number)
                    person.id_tail = number[-4:]
                    changed += ["id_digest", "id_encrypted", "id_masked", "id_tail"]
        if not person.phone.isascii():
            try:
                person.phone = phone_parse(person.phone)
                changed.append("phone")
            except IdentityError:
                report.append(f"人员 #{person.pk}：手机号含无法识别的字符，未处理，请人工更正")
        if changed:
            person.save(update_fields=changed)
    for member in HouseholdMember.objects.order_by("id").iterator():
        if member.phone and not member.phone.isascii():
            try:
                member.phone = phone_parse(member.phone)
            except IdentityError:
                report.append(f"共同生活者 #{member.pk}：手机号含无法识别的字符，未处理")
            else:
                member.save(update_fields=["phone"])
    for line in report:
        print(f"  people.0006: {line}")
    return report


class Migration(migrations.Migration):
    dependencies = [("people", "0005_import_lease")]

    operations = [migrations.RunPython(renormalise, migrations.RunPython.noop, elidable=False)]

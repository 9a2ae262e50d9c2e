"""The citation every result carries: which pack version, notice, requirement and clause."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Citation:
    """Where a result comes from: pack and version, notice, requirement ID and clause."""

    pack_id: str
    version: int
    document_number: str
    requirement: str
    clause: str
    rule_id: str

    def text(self) -> str:
        return (
            f"{self.document_number} {self.clause}"
            f"（{self.requirement}；规则包 {self.pack_id} v{self.version}）"
        )

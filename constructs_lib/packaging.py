"""The .zip packages of the small functions the stack ships, built at synth.

Byte for byte the same on every machine (entries sorted, stored, fixed timestamps and modes),
so a package's hash, and with it the function's `source_code_hash`, changes only when its
source does.
"""

from __future__ import annotations

import base64
import hashlib
import io
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from cdktf import AssetType, TerraformAsset
from constructs import Construct


def package(files: dict[str, Path]) -> bytes:
    """A reproducible .zip holding each source file under its name in the archive."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name in sorted(files):
            entry = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            entry.external_attr = 0o644 << 16
            archive.writestr(entry, files[name].read_bytes())
    return buffer.getvalue()


def package_directory(directory: Path) -> bytes:
    """A Python package (its .py files, under its own name) as a reproducible .zip."""
    return package({f"{directory.name}/{f.relative_to(directory).as_posix()}": f
                    for f in directory.rglob("*.py") if "__pycache__" not in f.parts})  # fmt: skip


@dataclass(frozen=True)
class StagedPackage:
    path: str  # the asset's path beside the stack
    sha256: str  # base64, as Lambda's source_code_hash


def stage(scope: Construct, id: str, content: bytes, stem: str) -> StagedPackage:
    """`content` as a file asset of the stack (TerraformAsset copies it beside the stack; the
    staged copy's name carries its hash, so equal packages share one file)."""
    digest = hashlib.sha256(content).digest()
    staged = Path(tempfile.gettempdir()) / f"{stem}-{digest.hex()[:16]}.zip"
    if not staged.exists():
        staged.write_bytes(content)
    asset = TerraformAsset(scope, id, path=str(staged), type=AssetType.FILE)
    return StagedPackage(asset.path, base64.b64encode(digest).decode())

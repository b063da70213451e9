"""Crafts hostile archives: path traversal, absolute names, a link then a file written through it,
device nodes, and a nested zip bomb. Run by make.sh."""
import io, tarfile, zipfile

def tar(name, members):
    with tarfile.open(name, "w", format=tarfile.GNU_FORMAT) as t:
        for info, data in members:
            info.mtime = 1793491200
            t.addfile(info, io.BytesIO(data) if data is not None else None)

def file(name, data=b"x\n"):
    i = tarfile.TarInfo(name); i.size = len(data); i.mode = 0o644
    return i, data

def link(name, target):
    i = tarfile.TarInfo(name); i.type = tarfile.SYMTYPE; i.linkname = target
    return i, None

def device(name):
    i = tarfile.TarInfo(name); i.type = tarfile.CHRTYPE; i.devmajor = 1; i.devminor = 3
    return i, None

# ../ climbing out, an absolute name, a name with a drive letter, a symlink to /etc and a file below it.
tar("traversal.tar", [
    file("ok.txt"),
    file("../../evil.txt"),
    file("/abs/evil.txt"),
    file("C:/win/evil.txt"),
    link("escape", "/tmp"),
    file("escape/through-link.txt"),
    device("null"),
])

# Zip with a traversal name.
with zipfile.ZipFile("traversal.zip", "w") as z:
    z.writestr("good.txt", "fine\n")
    z.writestr("../../zip-evil.txt", "evil\n")

# Nested zip bomb, 42.zip style but smaller: 16 zips of 16 zips of 8 files of 64 MiB zeros
# = 128 GiB when fully unpacked, 300 KB packed.
zeros = bytes(64 << 20)
inner = io.BytesIO()
with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
    for i in range(8):
        z.writestr(f"zeros-{i}.bin", zeros)
mid = io.BytesIO()
with zipfile.ZipFile(mid, "w", zipfile.ZIP_STORED) as z:
    for i in range(16):
        z.writestr(f"inner-{i}.zip", inner.getvalue())
with zipfile.ZipFile("bomb.zip", "w", zipfile.ZIP_DEFLATED) as z:
    for i in range(16):
        z.writestr(f"mid-{i}.zip", mid.getvalue())

# Deep nesting: 24 zips inside each other.
data = b"bottom\n"
name = "bottom.txt"
for level in range(24):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        z.writestr(name, data)
    data, name = buf.getvalue(), f"level-{level}.zip"
open("deep.zip", "wb").write(data)

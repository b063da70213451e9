#!/usr/bin/env python3
"""Writes a U-Boot FIT image (a flattened device tree, devicetree spec v0.4 ch. 5) with one
kernel image, its sha256 hash node and, when given, a configuration signature node, as
mkimage -f would lay it out. Usage: fdt.py OUT KERNEL TIMESTAMP [SIGNATURE-FILE]"""
import hashlib, struct, sys

FDT_BEGIN_NODE, FDT_END_NODE, FDT_PROP, FDT_END = 1, 2, 3, 9

class Fdt:
    def __init__(self):
        self.struct = bytearray()
        self.strings = bytearray()
        self.offsets = {}

    def _pad(self):
        while len(self.struct) % 4:
            self.struct.append(0)

    def begin(self, name):
        self.struct += struct.pack(">I", FDT_BEGIN_NODE) + name.encode() + b"\0"
        self._pad()

    def end(self):
        self.struct += struct.pack(">I", FDT_END_NODE)

    def prop(self, name, value):
        if isinstance(value, str):
            value = value.encode() + b"\0"
        elif isinstance(value, int):
            value = struct.pack(">I", value)
        if name not in self.offsets:
            self.offsets[name] = len(self.strings)
            self.strings += name.encode() + b"\0"
        self.struct += struct.pack(">III", FDT_PROP, len(value), self.offsets[name]) + value
        self._pad()

    def blob(self):
        body = bytes(self.struct) + struct.pack(">I", FDT_END)
        header_len, rsv = 40, b"\0" * 16
        off_struct = header_len + len(rsv)
        off_strings = off_struct + len(body)
        total = off_strings + len(self.strings)
        header = struct.pack(">10I", 0xd00dfeed, total, off_struct, off_strings, header_len, 17, 16, 0, len(self.strings), len(body))
        return header + rsv + body + bytes(self.strings)

out, kernel_path, timestamp = sys.argv[1], sys.argv[2], int(sys.argv[3])
signature = open(sys.argv[4], "rb").read() if len(sys.argv) > 4 else None
kernel = open(kernel_path, "rb").read()
f = Fdt()
f.begin("")
f.prop("description", "EX2000 kernel")
f.prop("timestamp", timestamp)
f.prop("#address-cells", 1)
f.begin("images")
f.begin("kernel-1")
f.prop("description", "kernel")
f.prop("data", kernel)
f.prop("type", "kernel")
f.prop("arch", "arm")
f.prop("os", "linux")
f.prop("compression", "none")
f.prop("load", 0x80008000)
f.prop("entry", 0x80008000)
f.begin("hash-1")
f.prop("algo", "sha256")
f.prop("value", hashlib.sha256(kernel).digest())
f.end()
f.end()
f.end()
f.begin("configurations")
f.prop("default", "conf-1")
f.begin("conf-1")
f.prop("kernel", "kernel-1")
if signature is not None:
    f.begin("signature-1")
    f.prop("algo", "sha256,rsa2048")
    f.prop("key-name-hint", "dev")
    f.prop("signed-images", "kernel")
    f.prop("value", signature)
    f.end()
f.end()
f.end()
f.end()
open(out, "wb").write(f.blob())

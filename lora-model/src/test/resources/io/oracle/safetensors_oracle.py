#!/usr/bin/env python3
"""Independent oracle for SafetensorsReaderTest: parses the fixture files with the Python standard library
only (struct + json, no safetensors package) and prints, per tensor: dtype, shape, data_offsets, the float64
sum of its values and its first 4 values. Run from this directory:
    python3 oracle/safetensors_oracle.py lora_linear.safetensors bert_lora_cls.io.safetensors > oracle/expected.json
"""
import json
import struct
import sys

FMT = {"F32": ("<f", 4), "I64": ("<q", 8), "F64": ("<d", 8), "I32": ("<i", 4)}

out = {}
for path in sys.argv[1:]:
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n].decode("utf-8"))
    base = 8 + n
    tensors = {}
    for name, t in header.items():
        if name == "__metadata__":
            continue
        fmt, size = FMT[t["dtype"]]
        b, e = t["data_offsets"]
        vals = [struct.unpack_from(fmt, data, base + i)[0] for i in range(b, e, size)]
        tensors[name] = {"dtype": t["dtype"], "shape": t["shape"], "data_offsets": [b, e],
                         "sum": float(sum(float(v) for v in vals)), "first": [float(v) for v in vals[:4]]}
    out[path] = {"metadata": header.get("__metadata__", {}), "tensors": tensors}
json.dump(out, sys.stdout, indent=1, sort_keys=True)
print()

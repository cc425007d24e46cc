"""Prints one line per cached teacher (meta.json files given as arguments)."""
import json
import sys

for path in sys.argv[1:]:
    m = json.load(open(path))
    c = m["config"]
    print("%s width %s, %d epochs: FP32 top1 %.2f%% in %.0f s"
          % (c["model"], c["width"], c["epochs"], m["fp32_top1"], m["train_seconds"]))

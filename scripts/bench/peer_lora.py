#!/usr/bin/env python3
"""PyTorch peer of sparklora's LoRA benchmark (issue #8).

Measures the workloads of the shared benchmark conventions with a minimal, self-contained PyTorch
implementation, so the Java/DJL numbers can be read against a plain PyTorch loop on the same machine:

  gpt2-train      GPT-2 small, loralib MergedLinear LoRA (q, v) on c_attn, batch 8 x 128, causal LM loss
  bert-train      BERT-base classifier, LoRA on query/value, pooler + classifier trained in full, 32 x 128
  gpt2-gen-beam1  GPT-2 small, greedy generation of 32 tokens after a 32-token prompt, batch 1, KV cache

Weights are random (seeded): speed does not depend on their values. One training step is
zero_grad + forward + backward + clip_grad_norm_(1.0) + AdamW step over the trainable parameters only.
Prints one `RESULT ...` line per workload and appends the same record as JSON to --out.
"""
import argparse
import datetime
import json
import math
import os
import platform
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

IMPL = "pytorch"
WORKLOADS = ("gpt2-train", "bert-train", "gpt2-gen-beam1")


# ----------------------------------------------------------------------------------------------------
# Building blocks
# ----------------------------------------------------------------------------------------------------

def frozen(*shape, std=None, fill=None):
    """A parameter that never gets a gradient: normal(0, std) or constant `fill`."""
    t = torch.empty(*shape)
    if std is not None:
        t.normal_(0.0, std)
    else:
        t.fill_(fill)
    return nn.Parameter(t, requires_grad=False)


class Dense(nn.Module):
    """y = x W^T + b with W [out, in]; frozen unless `trainable` (PEFT modules_to_save)."""

    def __init__(self, n_in, n_out, trainable=False):
        super().__init__()
        self.weight = frozen(n_out, n_in, std=0.02)
        self.bias = frozen(n_out, fill=0.0)
        self.weight.requires_grad_(trainable)
        self.bias.requires_grad_(trainable)

    def forward(self, x):
        return F.linear(x, self.weight, self.bias)


class Norm(nn.Module):
    """Frozen LayerNorm (gamma 1, beta 0)."""

    def __init__(self, n, eps):
        super().__init__()
        self.weight = frozen(n, fill=1.0)
        self.bias = frozen(n, fill=0.0)
        self.eps = eps

    def forward(self, x):
        return F.layer_norm(x, (x.shape[-1],), self.weight, self.bias, self.eps)


class LoraDense(Dense):
    """PEFT-style LoRA on a frozen Linear: y = W x + b + scaling * B A x (dropout 0 here)."""

    def __init__(self, n_in, n_out, r, alpha):
        super().__init__(n_in, n_out)
        self.scaling = alpha / r
        bound = 1.0 / math.sqrt(n_in)  # what kaiming_uniform_(a=sqrt(5)) gives for [r, n_in]
        self.lora_A = nn.Parameter(torch.empty(r, n_in).uniform_(-bound, bound))
        self.lora_B = nn.Parameter(torch.zeros(n_out, r))

    def forward(self, x):
        y = super().forward(x)
        return y + F.linear(F.linear(x, self.lora_A), self.lora_B) * self.scaling


class LoraMergedConv1D(nn.Module):
    """GPT-2's fused c_attn (Conv1D: weight [in, out], i.e. fan_in_fan_out) with a loralib-style
    MergedLinear LoRA: the output splits into len(enable) equal groups and each enabled group i gets
    its own rank-r update B_i A_i; disabled groups (k) get none. A is [r * n_enabled, in],
    B is [out / groups * n_enabled, r], as in loralib, so adapters keep loralib's tensor shapes."""

    def __init__(self, n_in, n_out, r, alpha, enable):
        super().__init__()
        assert n_out % len(enable) == 0
        self.weight = frozen(n_in, n_out, std=0.02)
        self.bias = frozen(n_out, fill=0.0)
        self.r = r
        self.enable = tuple(bool(e) for e in enable)
        self.group = n_out // len(enable)
        self.scaling = alpha / r
        n_enabled = sum(self.enable)
        bound = 1.0 / math.sqrt(n_in)
        self.lora_A = nn.Parameter(torch.empty(r * n_enabled, n_in).uniform_(-bound, bound))
        self.lora_B = nn.Parameter(torch.zeros(self.group * n_enabled, r))
        self.merged = False

    def delta_weight(self):
        """The full update in Conv1D layout [in, out], unscaled (for merging and the self-test)."""
        blocks, e = [], 0
        for enabled in self.enable:
            if enabled:
                b = self.lora_B[e * self.group:(e + 1) * self.group]
                a = self.lora_A[e * self.r:(e + 1) * self.r]
                blocks.append((b @ a).t())
                e += 1
            else:
                blocks.append(self.weight.new_zeros(self.weight.shape[0], self.group))
        return torch.cat(blocks, dim=1)

    @torch.no_grad()
    def merge(self):
        """Folds the LoRA update into the frozen weight (what loralib does in eval())."""
        if not self.merged:
            self.weight += self.delta_weight() * self.scaling
            self.merged = True

    def forward(self, x):
        y = torch.addmm(self.bias, x.reshape(-1, x.shape[-1]), self.weight).view(*x.shape[:-1], -1)
        if self.merged:
            return y
        after_a = F.linear(x, self.lora_A)  # [..., r * n_enabled]
        blocks, e, zeros = [], 0, None
        for enabled in self.enable:
            if enabled:
                a = after_a[..., e * self.r:(e + 1) * self.r]
                b = self.lora_B[e * self.group:(e + 1) * self.group]
                blocks.append(F.linear(a, b))
                e += 1
            else:
                if zeros is None:
                    zeros = x.new_zeros(*x.shape[:-1], self.group)
                blocks.append(zeros)
        return y + torch.cat(blocks, dim=-1) * self.scaling


class Conv1D(nn.Module):
    """GPT-2's frozen Conv1D: y = x W + b with W [in, out]."""

    def __init__(self, n_in, n_out):
        super().__init__()
        self.weight = frozen(n_in, n_out, std=0.02)
        self.bias = frozen(n_out, fill=0.0)

    def forward(self, x):
        return torch.addmm(self.bias, x.reshape(-1, x.shape[-1]), self.weight).view(*x.shape[:-1], -1)


def split_heads(x, heads):
    b, t, c = x.shape
    return x.view(b, t, heads, c // heads).transpose(1, 2)  # [b, h, t, d]


def merge_heads(x):
    b, h, t, d = x.shape
    return x.transpose(1, 2).reshape(b, t, h * d)


# ----------------------------------------------------------------------------------------------------
# GPT-2
# ----------------------------------------------------------------------------------------------------

class Gpt2Block(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        d = cfg["n_embd"]
        self.heads = cfg["n_head"]
        self.ln_1 = Norm(d, cfg["eps"])
        self.c_attn = LoraMergedConv1D(d, 3 * d, cfg["r"], cfg["alpha"], (True, False, True))
        self.c_proj = Conv1D(d, d)
        self.ln_2 = Norm(d, cfg["eps"])
        self.c_fc = Conv1D(d, 4 * d)
        self.mlp_proj = Conv1D(4 * d, d)

    def forward(self, x, past=None):
        """x [b, t, d]; past = (k, v) each [b, h, t_past, d_head] or None. Returns (y, (k, v))."""
        q, k, v = self.c_attn(self.ln_1(x)).split(x.shape[-1], dim=-1)
        q, k, v = (split_heads(z, self.heads) for z in (q, k, v))
        if past is not None:
            k = torch.cat((past[0], k), dim=2)
            v = torch.cat((past[1], v), dim=2)
        t, total = q.shape[2], k.shape[2]
        scores = (q @ k.transpose(-1, -2)) / math.sqrt(q.shape[-1])
        if t > 1:  # a single new token may see everything before it
            causal = torch.ones(t, total, dtype=torch.bool).tril(diagonal=total - t)
            scores = scores.masked_fill(~causal, torch.finfo(scores.dtype).min)
        attn = merge_heads(torch.softmax(scores, dim=-1) @ v)
        x = x + self.c_proj(attn)
        x = x + self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x)), approximate="tanh"))
        return x, (k, v)


class Gpt2LoraLm(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        d = cfg["n_embd"]
        self.wte = frozen(cfg["vocab"], d, std=0.02)
        self.wpe = frozen(cfg["n_positions"], d, std=0.01)
        self.blocks = nn.ModuleList(Gpt2Block(cfg) for _ in range(cfg["n_layer"]))
        self.ln_f = Norm(d, cfg["eps"])

    def forward(self, ids, past=None):
        """Logits [b, t, vocab] from the tied LM head, and the new per-layer (k, v) cache."""
        start = 0 if past is None else past[0][0].shape[2]
        pos = torch.arange(start, start + ids.shape[1])
        x = F.embedding(ids, self.wte) + F.embedding(pos, self.wpe)
        cache = []
        for i, block in enumerate(self.blocks):
            x, kv = block(x, None if past is None else past[i])
            cache.append(kv)
        return F.linear(self.ln_f(x), self.wte), cache

    def loss(self, ids):
        """Causal LM loss: every position predicts the next token, mean cross-entropy."""
        logits, _ = self(ids)
        return F.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]), ids[:, 1:].reshape(-1))

    def merge_lora(self):
        for block in self.blocks:
            block.c_attn.merge()


def gpt2_config(tiny=False):
    if tiny:
        return dict(n_layer=2, n_embd=64, n_head=4, vocab=97, n_positions=64, eps=1e-5, r=4, alpha=32)
    return dict(n_layer=12, n_embd=768, n_head=12, vocab=50257, n_positions=1024, eps=1e-5, r=4, alpha=32)


@torch.no_grad()
def greedy_generate(model, prompt, new_tokens, use_cache=True):
    """Greedy (beam 1) decoding; with the cache each step feeds only the last token."""
    ids, past = prompt, None
    step_input = prompt
    for _ in range(new_tokens):
        if use_cache:
            logits, past = model(step_input, past)
        else:
            logits, _ = model(ids)
        nxt = logits[:, -1].argmax(dim=-1, keepdim=True)
        ids = torch.cat((ids, nxt), dim=1)
        step_input = nxt
    return ids[:, prompt.shape[1]:]


# ----------------------------------------------------------------------------------------------------
# BERT
# ----------------------------------------------------------------------------------------------------

class BertLayer(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        d, r, alpha = cfg["hidden"], cfg["r"], cfg["alpha"]
        self.heads = cfg["heads"]
        self.query = LoraDense(d, d, r, alpha)
        self.key = Dense(d, d)
        self.value = LoraDense(d, d, r, alpha)
        self.attn_out = Dense(d, d)
        self.attn_norm = Norm(d, cfg["eps"])
        self.intermediate = Dense(d, cfg["intermediate"])
        self.output = Dense(cfg["intermediate"], d)
        self.out_norm = Norm(d, cfg["eps"])

    def forward(self, x):
        q, k, v = (split_heads(m(x), self.heads) for m in (self.query, self.key, self.value))
        scores = (q @ k.transpose(-1, -2)) / math.sqrt(q.shape[-1])  # no padding: no mask
        ctx = merge_heads(torch.softmax(scores, dim=-1) @ v)
        x = self.attn_norm(x + self.attn_out(ctx))
        return self.out_norm(x + self.output(F.gelu(self.intermediate(x))))


class BertLoraClassifier(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        d = cfg["hidden"]
        self.word = frozen(cfg["vocab"], d, std=0.02)
        self.position = frozen(cfg["positions"], d, std=0.02)
        self.token_type = frozen(cfg["type_vocab"], d, std=0.02)
        self.emb_norm = Norm(d, cfg["eps"])
        self.layers = nn.ModuleList(BertLayer(cfg) for _ in range(cfg["layers"]))
        self.pooler = Dense(d, d, trainable=True)
        self.classifier = Dense(d, cfg["labels"], trainable=True)

    def forward(self, ids):
        pos = torch.arange(ids.shape[1])
        x = F.embedding(ids, self.word) + F.embedding(pos, self.position) + self.token_type[0]
        x = self.emb_norm(x)
        for layer in self.layers:
            x = layer(x)
        return self.classifier(torch.tanh(self.pooler(x[:, 0])))

    def loss(self, batch):
        ids, labels = batch
        return F.cross_entropy(self(ids), labels)


def bert_config(tiny=False):
    if tiny:
        return dict(layers=2, hidden=64, heads=4, intermediate=256, vocab=101, positions=64, type_vocab=2,
                    eps=1e-12, r=8, alpha=16, labels=2)
    return dict(layers=12, hidden=768, heads=12, intermediate=3072, vocab=30522, positions=512, type_vocab=2,
                eps=1e-12, r=8, alpha=16, labels=2)


# ----------------------------------------------------------------------------------------------------
# Workloads
# ----------------------------------------------------------------------------------------------------

def trainable(model):
    return [p for p in model.parameters() if p.requires_grad]


def make_gpt2_train(tiny=False, seed=0):
    torch.manual_seed(seed)
    cfg = gpt2_config(tiny)
    model = Gpt2LoraLm(cfg).train()
    batch, seq = (2, 16) if tiny else (8, 128)
    gen = torch.Generator().manual_seed(seed + 1)
    ids = torch.randint(0, cfg["vocab"], (batch, seq), generator=gen)
    return model, ids, batch * seq


def make_bert_train(tiny=False, seed=0):
    torch.manual_seed(seed)
    cfg = bert_config(tiny)
    model = BertLoraClassifier(cfg).train()
    batch, seq = (4, 16) if tiny else (32, 128)
    gen = torch.Generator().manual_seed(seed + 1)
    ids = torch.randint(1, cfg["vocab"], (batch, seq), generator=gen)
    labels = torch.randint(0, cfg["labels"], (batch,), generator=gen)
    return model, (ids, labels), batch * seq


def train_step(model, batch, optimizer, params):
    optimizer.zero_grad(set_to_none=True)
    loss = model.loss(batch)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(params, max_norm=1.0)
    optimizer.step()
    return loss.item()


def time_training(model, batch, warmup, runs, lr=1e-4):
    params = trainable(model)
    optimizer = torch.optim.AdamW(params, lr=lr, weight_decay=0.01)
    for _ in range(warmup):
        train_step(model, batch, optimizer, params)
    rss_before = rss_bytes()
    reset_peak_rss()
    times, loss = [], float("nan")
    for _ in range(runs):
        t0 = time.perf_counter()
        loss = train_step(model, batch, optimizer, params)
        times.append(time.perf_counter() - t0)
    return times, {"loss": f"{loss:.4f}", "trainable": sum(p.numel() for p in params),
                   "rss_before_steps_bytes": rss_before, "step_peak_rss_bytes": rss_bytes("VmHWM")}


def rss_bytes(field="VmRSS"):
    """This process's resident set (or its peak, VmHWM) in bytes from /proc/self/status."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    return -1


def reset_peak_rss():
    """Linux: writing 5 to clear_refs resets VmHWM to the current RSS, so the peak is the steps' own."""
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")


def run_workload(name, warmup, runs):
    """Returns (per-run seconds, tokens per run, extra key/values)."""
    if name == "gpt2-train":
        model, ids, tokens = make_gpt2_train()
        times, extra = time_training(model, ids, warmup, runs)
        return times, tokens, dict(extra, batch=ids.shape[0], seq=ids.shape[1])
    if name == "bert-train":
        model, batch, tokens = make_bert_train()
        times, extra = time_training(model, batch, warmup, runs)
        return times, tokens, dict(extra, batch=batch[0].shape[0], seq=batch[0].shape[1])
    if name == "gpt2-gen-beam1":
        torch.manual_seed(0)
        cfg = gpt2_config()
        model = Gpt2LoraLm(cfg).eval()
        model.merge_lora()
        prompt = torch.randint(0, cfg["vocab"], (1, 32), generator=torch.Generator().manual_seed(1))
        new_tokens = 32
        for _ in range(warmup):
            greedy_generate(model, prompt, new_tokens)
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            greedy_generate(model, prompt, new_tokens)
            times.append(time.perf_counter() - t0)
        return times, new_tokens, dict(batch=1, prompt=prompt.shape[1], new_tokens=new_tokens, kv_cache="true")
    raise ValueError(f"unknown workload '{name}', expected one of {', '.join(WORKLOADS)}")


# ----------------------------------------------------------------------------------------------------
# Self-test (tiny shapes)
# ----------------------------------------------------------------------------------------------------

def check_training(label, model, batch, expected_trainable):
    params = trainable(model)
    n = sum(p.numel() for p in params)
    assert n == expected_trainable, f"{label}: {n} trainable values, expected {expected_trainable}"
    optimizer = torch.optim.AdamW(params, lr=1e-2, weight_decay=0.01)
    losses = []
    for step in range(20):
        optimizer.zero_grad(set_to_none=True)
        loss = model.loss(batch)
        loss.backward()
        if step == 0:
            for name, p in model.named_parameters():
                if p.requires_grad:
                    assert p.grad is not None and torch.isfinite(p.grad).all(), f"{label}: no/bad grad for {name}"
                else:
                    assert p.grad is None, f"{label}: frozen {name} got a gradient"
        torch.nn.utils.clip_grad_norm_(params, max_norm=1.0)
        optimizer.step()
        losses.append(loss.item())
    assert all(math.isfinite(x) for x in losses), f"{label}: non-finite loss {losses}"
    assert losses[-1] < 0.9 * losses[0], f"{label}: loss did not decrease: {losses[0]:.4f} -> {losses[-1]:.4f}"
    print(f"selftest {label}: trainable={n} loss {losses[0]:.4f} -> {losses[-1]:.4f} ok")


def selftest():
    torch.manual_seed(123)
    # MergedLinear against the dense equivalent: x W + b + scaling * x zero_pad(B_i A_i)^T.
    layer = LoraMergedConv1D(16, 3 * 12, r=2, alpha=4, enable=(True, False, True))
    with torch.no_grad():
        layer.lora_B.normal_()
    x = torch.randn(3, 5, 16)
    dense = layer.weight.clone()
    b_q, b_v = layer.lora_B[:12], layer.lora_B[12:]
    a_q, a_v = layer.lora_A[:2], layer.lora_A[2:]
    dense[:, 0:12] += (b_q @ a_q).t() * 2.0
    dense[:, 24:36] += (b_v @ a_v).t() * 2.0
    expected = x @ dense + layer.bias
    assert torch.allclose(layer(x), expected, atol=1e-5), "MergedLinear differs from its dense equivalent"
    layer.merge()
    assert torch.allclose(layer(x), expected, atol=1e-5), "merged MergedLinear differs"
    print("selftest merged-linear: matches dense W + zero_pad(BA) ok")

    gcfg = gpt2_config(tiny=True)
    model, ids, _ = make_gpt2_train(tiny=True)
    check_training("gpt2-train", model, ids,
                   gcfg["n_layer"] * (2 * gcfg["r"] * gcfg["n_embd"] + 2 * gcfg["n_embd"] * gcfg["r"]))

    bcfg = bert_config(tiny=True)
    model, batch, _ = make_bert_train(tiny=True)
    d = bcfg["hidden"]
    check_training("bert-train", model, batch,
                   bcfg["layers"] * 2 * (2 * bcfg["r"] * d) + (d * d + d) + (bcfg["labels"] * d + bcfg["labels"]))

    # Cached greedy decoding must pick the same tokens as recomputing the whole prefix.
    model, ids, _ = make_gpt2_train(tiny=True)
    model.eval()
    with torch.no_grad():
        for block in model.blocks:
            block.c_attn.lora_B.normal_(0.0, 0.02)
    unmerged = greedy_generate(model, ids[:1, :8], 8, use_cache=False)
    model.merge_lora()
    cached = greedy_generate(model, ids[:1, :8], 8, use_cache=True)
    assert torch.equal(cached, unmerged), f"cached {cached.tolist()} != uncached unmerged {unmerged.tolist()}"
    print("selftest gpt2-gen-beam1: KV-cache greedy == full recompute (unmerged) ok")
    print("selftest: all ok")


# ----------------------------------------------------------------------------------------------------
# Output
# ----------------------------------------------------------------------------------------------------

def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def report(name, threads, times, tokens, extra, out, command):
    median = statistics.median(times)
    record = {
        "impl": IMPL, "workload": name, "threads": threads, "runs": len(times),
        "median_s": round(median, 6), "min_s": round(min(times), 6), "max_s": round(max(times), 6),
        "tokens_per_s": round(tokens / median, 3),
    }
    extra = dict(extra, torch=torch.__version__)
    line = "RESULT " + " ".join(f"{k}={v}" for k, v in record.items())
    line += "".join(f" {k}={v}" for k, v in extra.items())
    print(line, flush=True)
    if out:
        record.update(extra)
        record.update({
            "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "host": os.uname().nodename, "cpu": cpu_model(), "command": command,
        })
        with open(out, "a") as f:
            f.write(json.dumps(record) + "\n")


def positive(kind, minimum):
    def parse(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{kind} must be an integer, got '{text}'")
        if value < minimum:
            raise argparse.ArgumentTypeError(f"{kind} must be >= {minimum}, got {value}")
        return value
    return parse


def main(argv):
    ap = argparse.ArgumentParser(description="PyTorch peer of the sparklora LoRA benchmark")
    ap.add_argument("--threads", type=positive("--threads", 1), default=2)
    ap.add_argument("--warmup", type=positive("--warmup", 0), default=2)
    ap.add_argument("--runs", type=positive("--runs", 1), default=5)
    ap.add_argument("--workloads", default="gpt2-train,bert-train",
                    help="comma-separated, from: " + ", ".join(WORKLOADS))
    ap.add_argument("--out", help="append JSON records to this file")
    ap.add_argument("--selftest", action="store_true", help="tiny-shape correctness checks, then exit")
    args = ap.parse_args(argv)

    # Inter-op threads can only be set before any parallel work starts.
    torch.set_num_interop_threads(1)
    torch.set_num_threads(args.threads)
    if args.selftest:
        selftest()
        return 0

    names = [w.strip() for w in args.workloads.split(",") if w.strip()]
    unknown = [w for w in names if w not in WORKLOADS]
    if not names or unknown:
        ap.error(f"--workloads: unknown {unknown or 'empty list'}; expected some of {', '.join(WORKLOADS)}")
    command = os.environ.get("BENCH_COMMAND") or " ".join([sys.executable] + sys.argv)
    print(f"pytorch {torch.__version__}: intra-op threads {torch.get_num_threads()}, "
          f"inter-op threads {torch.get_num_interop_threads()}", flush=True)
    for name in names:
        times, tokens, extra = run_workload(name, args.warmup, args.runs)
        report(name, args.threads, times, tokens, extra, args.out, command)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

#!/usr/bin/env python3
"""PyTorch reference timings for `npm run bench` (scripts/bench.mjs), on the same machine in the same run.

Builds the D2UE backbones as the official code does (github.com/Rubiscol/D2UE, models/ae.py, memae, aeu; width
multiplier 1, 64x64 grayscale, latent 16, bottleneck 2048) and times:
  - one training step (forward, loss, backward, Adam lr 5e-4, betas (0.5, 0.999)) per backbone and batch size,
    median of --steps steps after --warmup steps;
  - DSU scoring with 3 members as the official test.py `evaluate_grad` loop does it (one image at a time:
    r = |x_hat - x|, g = d mean(r) / dx, map = r * g, std over members), in images/s, and the same batched.
Prints one JSON object on stdout. Usage: python3 scripts/bench_torch.py --threads 1 [--steps 5] [--warmup 2]
"""
import argparse
import json
import resource
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def block(cin, cout, transpose, last=False):
    conv = (nn.ConvTranspose2d if transpose else nn.Conv2d)(cin, cout, 4, 2, 1, bias=last)
    return nn.Sequential(conv) if last else nn.Sequential(conv, nn.BatchNorm2d(cout), nn.ReLU(True))


class AE(nn.Module):
    """The official AE (BasicBlock with one layer per block); out_ch 2 gives AE-U, memory 25 gives MemAE."""

    def __init__(self, out_ch=1, memory=0, mid=2048, latent=16):
        super().__init__()
        c = [16, 32, 64, 64]
        self.enc = nn.Sequential(block(1, c[0], False), block(c[0], c[1], False), block(c[1], c[2], False), block(c[2], c[3], False))
        flat = c[3] * 4 * 4
        self.linear_enc = nn.Sequential(nn.Linear(flat, mid), nn.BatchNorm1d(mid), nn.ReLU(True), nn.Linear(mid, latent))
        self.linear_dec = nn.Sequential(nn.Linear(latent, mid), nn.BatchNorm1d(mid), nn.ReLU(True), nn.Linear(mid, flat))
        self.dec = nn.Sequential(block(c[3], c[3], True), block(c[3], c[1], True), block(c[1], c[0], True), block(c[0], out_ch, True, last=True))
        self.memory = nn.Parameter(torch.empty(memory, latent).uniform_(-latent ** -0.5, latent ** -0.5)) if memory else None

    def forward(self, x):
        h = self.enc(x)
        z = self.linear_enc(h.flatten(1))
        att = None
        if self.memory is not None:
            att = F.softmax(z @ self.memory.t(), dim=1)
            shifted = att - 0.0025
            att = F.relu(shifted) * att / (shifted.abs() + 1e-12)
            att = F.normalize(att, p=1, dim=1)
            z = att @ self.memory
        out = self.dec(self.linear_dec(z).view(-1, 64, 4, 4))
        return out, att


def loss_of(name, model, x):
    out, att = model(x)
    if name == 'AE-U':
        mu, s = out[:, :1], out[:, 1:]
        return torch.mean(torch.exp(-s) * (mu - x) ** 2) + torch.mean(s)
    loss = torch.mean((out - x) ** 2)
    if name == 'MemAE':
        loss = loss + 2e-4 * torch.mean(torch.sum(-att * torch.log(att + 1e-12), dim=1))
    return loss


def build(name):
    return AE(out_ch=2 if name == 'AE-U' else 1, memory=25 if name == 'MemAE' else 0)


def time_steps(name, batch, steps, warmup):
    torch.manual_seed(8)
    model = build(name).train()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3 if name == 'AE-U' else 5e-4, betas=(0.5, 0.999))
    x = torch.rand(batch, 1, 64, 64) * 2 - 1
    times = []
    for i in range(warmup + steps):
        start = time.perf_counter()
        opt.zero_grad()
        loss = loss_of(name, model, x)
        loss.backward()
        opt.step()
        loss.item()
        if i >= warmup:
            times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def dsu_batch(x, members):
    """DSU scores of one batch, as the official test.py computes them for one image."""
    maps = []
    for m in members:
        xi = x.clone().requires_grad_(True)
        out, _ = m(xi)
        r = (out[:, :1] - xi).abs()
        # Per-image mean: the batch sum of per-image means has every image's own gradient.
        g, = torch.autograd.grad(r.mean(dim=(1, 2, 3)).sum(), xi)
        maps.append((r * g).detach())
    return torch.stack(maps).std(dim=0).mean(dim=(1, 2, 3))


def dsu_scoring(images, members, batch, passes=3):
    """Images/s of the official DSU loop (batch 1) or its batched form: median of `passes` after one warm-up batch."""
    x_all = torch.rand(images, 1, 64, 64) * 2 - 1
    dsu_batch(x_all[:batch], members)
    rates = []
    for _ in range(passes):
        start = time.perf_counter()
        for i in range(0, images, batch):
            dsu_batch(x_all[i:i + batch], members)
        rates.append(images / (time.perf_counter() - start))
    return statistics.median(rates)


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--steps', type=int, default=5)
    p.add_argument('--warmup', type=int, default=2)
    p.add_argument('--backbones', default='AE,MemAE,AE-U')
    p.add_argument('--batches', default='64,16')
    p.add_argument('--images', type=int, default=64)
    a = p.parse_args()
    torch.set_num_threads(a.threads)

    steps = {}
    for name in a.backbones.split(','):
        for b in [int(v) for v in a.batches.split(',')]:
            steps[f'{name}@{b}'] = time_steps(name, b, a.steps, a.warmup)

    torch.manual_seed(9)
    members = [build('AE').eval() for _ in range(3)]
    scoring = {'batch1': dsu_scoring(a.images, members, 1), 'batch64': dsu_scoring(a.images, members, 64)}
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({'torch': torch.__version__, 'threads': a.threads, 'msPerStep': steps, 'dsuImagesPerSecond': scoring, 'peakRssMb': rss_mb}))


if __name__ == '__main__':
    main()

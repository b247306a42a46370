#!/usr/bin/env python3
"""The PyTorch side of tools/bench/vs-pytorch.sh: MobileFaceNet + MV-Softmax written for this
benchmark from FaceX-Zoo's published architecture and formulas (the same layers, shapes, defaults and
1,200,512 backbone parameters as FaceX-Zoo's MobileFaceNets.py and MV_Softmax), timed the way
`facex bench train` and `facex bench infer` time ours: one fixed random batch, warm-up steps
discarded, images/s of each timed step, the peak resident memory of the process.

    python3 torch_reference.py train --batch 32 --classes 1000 --threads 2
    python3 torch_reference.py infer --batch 32 --threads 2
    python3 torch_reference.py params

Prints one JSON line: {"what": ..., "images_per_s": [...], "median": ..., "peak_rss_mb": ...}.
"""
import argparse
import json
import resource
import statistics
import sys
import time

try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError:
    print(json.dumps({"skipped": "python3-torch is not installed (Debian: apt-get install python3-torch)"}))
    sys.exit(3)


def conv_bn(cin, cout, k, s, p, groups, prelu):
    layers = [nn.Conv2d(cin, cout, k, s, p, groups=groups, bias=False), nn.BatchNorm2d(cout)]
    if prelu:
        layers.append(nn.PReLU(cout))
    return nn.Sequential(*layers)


class DepthWise(nn.Module):
    """1x1 expand (PReLU), 3x3 depthwise (PReLU), 1x1 project (linear), optional identity shortcut."""

    def __init__(self, cin, cout, groups, stride, residual):
        super().__init__()
        self.body = nn.Sequential(conv_bn(cin, groups, 1, 1, 0, 1, True),
                                  conv_bn(groups, groups, 3, stride, 1, groups, True),
                                  conv_bn(groups, cout, 1, 1, 0, 1, False))
        self.residual = residual

    def forward(self, x):
        y = self.body(x)
        return x + y if self.residual else y


class MobileFaceNet(nn.Module):
    def __init__(self, feat_dim=512, out_h=7, out_w=7):
        super().__init__()
        blocks = [conv_bn(3, 64, 3, 2, 1, 1, True), conv_bn(64, 64, 3, 1, 1, 64, True),
                  DepthWise(64, 64, 128, 2, False)]
        blocks += [DepthWise(64, 64, 128, 1, True) for _ in range(4)]
        blocks += [DepthWise(64, 128, 256, 2, False)]
        blocks += [DepthWise(128, 128, 256, 1, True) for _ in range(6)]
        blocks += [DepthWise(128, 128, 512, 2, False)]
        blocks += [DepthWise(128, 128, 256, 1, True) for _ in range(2)]
        blocks += [conv_bn(128, 512, 1, 1, 0, 1, True), conv_bn(512, 512, (out_h, out_w), 1, 0, 512, False)]
        self.features = nn.Sequential(*blocks)
        self.linear = nn.Linear(512, feat_dim, bias=False)
        self.bn = nn.BatchNorm1d(feat_dim)

    def forward(self, x):
        return self.bn(self.linear(torch.flatten(self.features(x), 1)))


class MVSoftmax(nn.Module):
    """MV-Softmax, AM form: margin 0.35, mv_weight 1.12, scale 32; weight (512, C), unit columns."""

    def __init__(self, feat_dim, classes, margin=0.35, mv_weight=1.12, scale=32.0):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(feat_dim, classes).uniform_(-1, 1).renorm_(2, 1, 1e-5).mul_(1e5))
        self.margin, self.mv_weight, self.scale = margin, mv_weight, scale

    def forward(self, x, label):
        cos = F.normalize(x).mm(F.normalize(self.weight, dim=0))
        gt = cos.gather(1, label.view(-1, 1))
        hard = cos > gt - self.margin
        cos = torch.where(hard, self.mv_weight * cos + self.mv_weight - 1.0, cos)
        target = torch.where(gt > self.margin, gt - self.margin, gt)
        cos = cos.scatter(1, label.view(-1, 1), target)
        return cos * self.scale


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def train(args):
    net, head = MobileFaceNet(), MVSoftmax(512, args.classes)
    net.train()
    params = list(net.parameters()) + list(head.parameters())
    opt = torch.optim.SGD(params, lr=0.01, momentum=0.9, weight_decay=5e-4)
    g = torch.Generator().manual_seed(0)
    x = torch.randn(args.batch, 3, 112, 112, generator=g)
    y = torch.randint(0, args.classes, (args.batch,), generator=g)
    ips = []
    for i in range(args.warmup + args.reps):
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(head(net(x), y), y)
        loss.backward()
        opt.step()
        loss.item()
        t1 = time.perf_counter()
        if i >= args.warmup:
            ips.append(args.batch / (t1 - t0))
    return "training step MobileFaceNet + MV-Softmax (%d classes), batch %d" % (args.classes, args.batch), ips


def infer(args):
    net = MobileFaceNet().eval()
    x = torch.randn(args.batch, 3, 112, 112, generator=torch.Generator().manual_seed(0))
    ips = []
    with torch.no_grad():
        for i in range(args.warmup + args.reps):
            t0 = time.perf_counter()
            net(x).numpy()
            t1 = time.perf_counter()
            if i >= args.warmup:
                ips.append(args.batch / (t1 - t0))
    return "forward pass MobileFaceNet (eval, no grad), batch %d" % args.batch, ips


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("what", choices=["train", "infer", "params"])
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--classes", type=int, default=1000)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--reps", type=int, default=10)
    p.add_argument("--threads", type=int, default=0, help="torch threads (0: PyTorch's default)")
    p.add_argument("--profile", action="store_true", help="also print torch.profiler's ops by self CPU time (timed steps)")
    args = p.parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    if args.what == "params":
        n = sum(t.numel() for t in MobileFaceNet().parameters())
        print(json.dumps({"what": "MobileFaceNet trainable parameters", "count": n}))
        return
    run = train if args.what == "train" else infer
    if args.profile:
        reps, args.reps = args.reps, 0
        run(args)  # warm-up outside the profile
        args.warmup, args.reps = 0, reps
        with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]) as prof:
            what, ips = run(args)
        print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=15), file=sys.stderr)
    else:
        what, ips = run(args)
    print(json.dumps({"what": what + ", %d threads, torch %s" % (torch.get_num_threads(), torch.__version__),
                      "images_per_s": [round(v, 2) for v in ips], "median": round(statistics.median(ips), 2),
                      "peak_rss_mb": round(peak_rss_mb(), 1)}))


if __name__ == "__main__":
    main()

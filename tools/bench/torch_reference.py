#!/usr/bin/env python3
"""The PyTorch side of tools/bench/vs_pytorch.py: MobileFaceNet, ResNet IR / IR-SE and MV-Softmax
written for this benchmark from FaceX-Zoo's published architectures and formulas (the same layers,
shapes, defaults and parameter counts as FaceX-Zoo's MobileFaceNets.py, ResNets.py and MV_Softmax:
1,200,512 for MobileFaceNet, 43,574,976 for IR-50, 71,148,736 for IR-SE-152), timed the way
`facex bench train` and `facex bench infer` time ours: one fixed random batch, warm-up steps
discarded, images/s of each timed step, the peak resident memory of the process.

    python3 torch_reference.py train --batch 32 --classes 1000 --threads 2
    python3 torch_reference.py infer --batch 32 --threads 2
    python3 torch_reference.py params --backbone IR-SE-152

Prints one JSON line: {"what": ..., "images_per_s": [...], "median": ..., "peak_rss_mb": ..., "malloc": {...}}.
"""
import argparse
import json
import os
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


class SE(nn.Module):
    def __init__(self, c, reduction=16):
        super().__init__()
        self.fc1 = nn.Conv2d(c, c // reduction, 1, bias=False)
        self.fc2 = nn.Conv2d(c // reduction, c, 1, bias=False)

    def forward(self, x):
        w = torch.sigmoid(self.fc2(F.relu(self.fc1(F.adaptive_avg_pool2d(x, 1)))))
        return x * w


class UnitIR(nn.Module):
    """bottleneck_IR(-SE): BN, conv3x3, PReLU, conv3x3 (stride), BN (, SE) plus a subsampling or 1x1 shortcut."""

    def __init__(self, cin, depth, stride, se):
        super().__init__()
        layers = [nn.BatchNorm2d(cin), nn.Conv2d(cin, depth, 3, 1, 1, bias=False), nn.PReLU(depth),
                  nn.Conv2d(depth, depth, 3, stride, 1, bias=False), nn.BatchNorm2d(depth)]
        if se:
            layers.append(SE(depth))
        self.res_layer = nn.Sequential(*layers)
        self.shortcut_layer = nn.MaxPool2d(1, stride) if cin == depth else nn.Sequential(
            nn.Conv2d(cin, depth, 1, stride, bias=False), nn.BatchNorm2d(depth))

    def forward(self, x):
        return self.res_layer(x) + self.shortcut_layer(x)


class ResNetIR(nn.Module):
    """ResNet IR / IR-SE of depth 50, 100 or 152 (InsightFace layout), 112x112 in, 512 out."""

    UNITS = {50: [3, 4, 14, 3], 100: [3, 13, 30, 3], 152: [3, 8, 36, 3]}

    def __init__(self, depth, se, feat_dim=512, drop_ratio=0.4):
        super().__init__()
        self.input_layer = nn.Sequential(nn.Conv2d(3, 64, 3, 1, 1, bias=False), nn.BatchNorm2d(64), nn.PReLU(64))
        units, cin = [], 64
        for n, depth_out in zip(self.UNITS[depth], [64, 128, 256, 512]):
            for i in range(n):
                units.append(UnitIR(cin, depth_out, 2 if i == 0 else 1, se))
                cin = depth_out
        self.body = nn.Sequential(*units)
        self.output_layer = nn.Sequential(nn.BatchNorm2d(512), nn.Dropout(drop_ratio), nn.Flatten(),
                                          nn.Linear(512 * 7 * 7, feat_dim), nn.BatchNorm1d(feat_dim))

    def forward(self, x):
        return self.output_layer(self.body(self.input_layer(x)))


def backbone(name):
    """MobileFaceNet, or a ResNet preset as FaceX-J names them: IR-50, IR-SE-50, IR-100, ..., IR-SE-152."""
    if name == "MobileFaceNet":
        return MobileFaceNet()
    parts = name.split("-")
    if parts[0] == "IR" and parts[-1].isdigit() and int(parts[-1]) in ResNetIR.UNITS and len(parts) in (2, 3):
        return ResNetIR(int(parts[-1]), se=len(parts) == 3 and parts[1] == "SE")
    raise SystemExit("unknown backbone '%s': MobileFaceNet, IR-50, IR-SE-50, IR-100, IR-SE-100, IR-152, IR-SE-152" % name)


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
    net, head = backbone(args.backbone), MVSoftmax(512, args.classes)
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
    return "training step %s + MV-Softmax (%d classes), batch %d" % (args.backbone, args.classes, args.batch), ips


def infer(args):
    net = backbone(args.backbone).eval()
    x = torch.randn(args.batch, 3, 112, 112, generator=torch.Generator().manual_seed(0))
    ips = []
    with torch.no_grad():
        for i in range(args.warmup + args.reps):
            t0 = time.perf_counter()
            net(x).numpy()
            t1 = time.perf_counter()
            if i >= args.warmup:
                ips.append(args.batch / (t1 - t0))
    return "forward pass %s (eval, no grad), batch %d" % (args.backbone, args.batch), ips


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("what", choices=["train", "infer", "params"])
    p.add_argument("--backbone", default="MobileFaceNet", help="MobileFaceNet or a ResNet preset: IR-50, IR-SE-152, ...")
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
        n = sum(t.numel() for t in backbone(args.backbone).parameters())
        print(json.dumps({"what": args.backbone + " trainable parameters", "count": n}))
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
                      "peak_rss_mb": round(peak_rss_mb(), 1),
                      # the glibc malloc and libgomp settings this process ran under (none: the defaults)
                      "malloc": {k: v for k, v in sorted(os.environ.items())
                                 if k.startswith("MALLOC_") or k in ("GLIBC_TUNABLES", "GOMP_SPINCOUNT")}}))


if __name__ == "__main__":
    main()

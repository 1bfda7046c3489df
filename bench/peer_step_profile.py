"""The PyTorch twin of `SharpTune.Bench step-profile`: median forward / backward / optimiser-step times of the peer's
ResNet(BasicBlock, [2, 2, 2, 3]) on a fixed synthetic batch, after 2 warm-up steps (no data loading).
Usage: python3 bench/peer_step_profile.py [--size 224] [--batch-size 32] [--steps 6] [--threads 2] [--channels-last]"""
import argparse, statistics, time
import torch
from torchvision.models.resnet import BasicBlock, ResNet

ap = argparse.ArgumentParser()
ap.add_argument("--size", type=int, default=224)
ap.add_argument("--batch-size", type=int, default=32)
ap.add_argument("--steps", type=int, default=6)
ap.add_argument("--threads", type=int, default=2)
ap.add_argument("--channels-last", action="store_true", help="model and input in torch.channels_last")
a = ap.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(0)
net = ResNet(BasicBlock, [2, 2, 2, 3])
net.fc = torch.nn.Linear(512, 2)
head = list(net.fc.parameters())
body = [p for n, p in net.named_parameters() if not n.startswith("fc.")]
sgd = torch.optim.SGD([{"params": body}, {"params": head, "lr": 5e-4}], lr=5e-5, weight_decay=1e-3)
net.train()
x = torch.randn(a.batch_size, 3, a.size, a.size)
if a.channels_last:
    net = net.to(memory_format=torch.channels_last)
    x = x.contiguous(memory_format=torch.channels_last)
y = torch.randint(0, 2, (a.batch_size,))
loss_fn = torch.nn.CrossEntropyLoss(reduction="sum")
fw, bw, st = [], [], []
for i in range(a.steps + 2):
    t0 = time.perf_counter()
    loss = loss_fn(net(x), y)
    t1 = time.perf_counter()
    sgd.zero_grad()
    loss.backward()
    t2 = time.perf_counter()
    sgd.step()
    t3 = time.perf_counter()
    if i >= 2:
        fw.append((t1 - t0) * 1e3); bw.append((t2 - t1) * 1e3); st.append((t3 - t2) * 1e3)
f, b, s = statistics.median(fw), statistics.median(bw), statistics.median(st)
print(f"peer forward_ms={f:.1f} backward_ms={b:.1f} step_ms={s:.1f} total_ms={f + b + s:.1f} "
      f"examples_per_sec={a.batch_size * 1000 / (f + b + s):.2f} torch={torch.__version__} channels_last={a.channels_last}")

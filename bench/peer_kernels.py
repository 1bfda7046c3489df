"""The PyTorch twin of `SharpTune.Bench kernels`: median times of ResNet-18's convolution shapes (forward, backward)
and BatchNorm (forward+backward) at batch 32, 2 threads. Usage: /usr/bin/python3 bench/peer_kernels.py"""
import time, torch
torch.set_num_threads(2)
for (c, hw, s) in [(64,56,1),(128,28,1),(256,14,1),(512,7,1),(3,224,2)]:
    k = 7 if c == 3 else 3
    conv = torch.nn.Conv2d(c, 64 if c==3 else c, k, stride=s, padding=k//2, bias=False)
    x = torch.randn(32, c, hw, hw, requires_grad=(c!=3))
    for i in range(2): conv(x).sum().backward()
    ts=[]; tb=[]
    for i in range(5):
        t0=time.perf_counter(); y=conv(x); t1=time.perf_counter(); y.sum().backward(); t2=time.perf_counter()
        ts.append(t1-t0); tb.append(t2-t1)
    ts.sort(); tb.sort()
    bn = torch.nn.BatchNorm2d(64 if c==3 else c); z=torch.randn(32, 64 if c==3 else c, hw//s, hw//s, requires_grad=True)
    for i in range(2): bn(z).sum().backward()
    bt=[]
    for i in range(5):
        t0=time.perf_counter(); bn(z).sum().backward(); bt.append(time.perf_counter()-t0)
    bt.sort()
    print(f"peer c={c} hw={hw} conv_fwd_ms={ts[2]*1e3:.1f} conv_bwd_ms={tb[2]*1e3:.1f} bn_fwdbwd_ms={bt[2]*1e3:.1f}")

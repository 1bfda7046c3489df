#!/usr/bin/python3
"""Writes the PyTorch fixtures the tests read (run with Debian's python3-torch: /usr/bin/python3 make_fixtures.py).

torch_state_dict.pth: a real torch.save() of a small state dict (a Linear(3, 2) with fixed values and a BatchNorm1d
with its num_batches_tracked counter), so the tests check SharpTune against PyTorch's own writer, not only against
TorchSharp.PyBridge's.
"""
import collections, os, torch

here = os.path.dirname(os.path.abspath(__file__))
sd = collections.OrderedDict()
sd["fc.weight"] = torch.arange(6, dtype=torch.float32).reshape(2, 3) / 10
sd["fc.bias"] = torch.tensor([0.5, -0.5])
bn = torch.nn.BatchNorm1d(2)
for k, v in bn.state_dict().items():
    sd["bn." + k] = v
torch.save(sd, os.path.join(here, "torch_state_dict.pth"))
print("wrote torch_state_dict.pth with", list(sd))

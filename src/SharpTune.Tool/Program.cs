using SharpTune.Cli;
using SharpTune.Tool;

// The ./sharptune launcher's environment, as far as a running process can give it to itself (docs/packaging.md):
// OMP_WAIT_POLICY=PASSIVE before libtorch (and its libgomp) is loaded; jemalloc cannot be preloaded from inside.
ToolEnvironment.Apply();
// The pretrained models' NuGet packages, restored on first use (they are not in the tool package).
ZooPackages.EnsureRestored(args);
return SharpTuneCli.Run(args);

// Tests share libtorch's process-wide thread pool and some set process environment (the cache folder); running them
// one at a time keeps timings sane on 2 cores and the environment predictable.
[assembly: Xunit.CollectionBehavior(DisableTestParallelization = true)]

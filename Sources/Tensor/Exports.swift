/// Every layer takes its generator from here; re-exported so `import Tensor` suffices.
@_exported import Random

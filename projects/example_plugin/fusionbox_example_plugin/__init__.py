"""An example FusionBox plugin: a backbone (``TinyConvFuser``), a degradation
(``SaltPepperNoise``), a fusion task (``nir``, near-infrared + RGB) with its embedded generator
and a prior (``NIRDetailTransfer``)."""

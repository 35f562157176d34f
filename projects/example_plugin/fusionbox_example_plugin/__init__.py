"""An example FusionBox plugin: adds ``TinyConvFuser`` (a backbone) and ``SaltPepperNoise``."""

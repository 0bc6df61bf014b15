"""sockspec's driver: runs probes in fresh network namespaces with capture,
decodes what crossed the wire, and judges it against the catalog's expectations."""

__version__ = "0.1.0"

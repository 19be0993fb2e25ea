"""Static files for production: hashed names (cached for ever by browsers) and gzip/brotli copies, via WhiteNoise."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's manifest storage, leaving ``sourceMappingURL`` comments alone: vendored minified libraries
    (Leaflet, ECharts) name source maps that are not shipped, and a missing map must not stop collectstatic."""

    patterns = tuple(
        (glob, tuple(p for p in pats if "sourceMappingURL" not in (p[0] if isinstance(p, tuple) else p)))
        for glob, pats in CompressedManifestStaticFilesStorage.patterns
    )

from django.conf import settings
from django.middleware import gzip

# Bodies already compressed by their format: gzip would only spend CPU on them (and drop the
# Content-Length a download shows its progress by).
COMPRESSED_TYPES = frozenset(
    {
        "application/zip",
        "application/gzip",
        "application/x-gzip",
        "application/x-7z-compressed",
        "application/vnd.rar",
        "application/x-rar-compressed",
        "application/x-bzip2",
        "application/x-xz",
        "application/zstd",
        "application/pdf",
        "font/woff",
        "font/woff2",
    }
)
COMPRESSED_PREFIXES = (
    "image/",
    "audio/",
    "video/",
    "application/vnd.openxmlformats-officedocument.",
    "application/vnd.oasis.opendocument.",
)


def already_compressed(content_type: str) -> bool:
    kind = content_type.split(";", 1)[0].strip().lower()
    if kind == "image/svg+xml":  # text
        return False
    return kind in COMPRESSED_TYPES or kind.startswith(COMPRESSED_PREFIXES)


class GZipMiddleware(gzip.GZipMiddleware):
    """Django's GZipMiddleware (pages, JSON, CSV, calendar feeds, streamed or not), except
    for bodies whose type is already compressed (images, PDF, archives, office files)."""

    def process_response(self, request, response):
        if already_compressed(response.get("Content-Type", "")):
            return response
        return super().process_response(request, response)


class UserLanguageMiddleware:
    """Use the language saved in the user's profile unless the session chose one.

    Runs before LocaleMiddleware; it only fills the language cookie's role for
    users who never used the switcher.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                profile = getattr(user, "profile", None)
                if profile and profile.language:
                    request.COOKIES[settings.LANGUAGE_COOKIE_NAME] = profile.language
        return self.get_response(request)

from django.conf import settings


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

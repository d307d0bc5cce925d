from django.utils import translation


class UserLanguageMiddleware:
    """A signed-in person's saved language wins over the cookie and the browser.

    Runs after AuthenticationMiddleware; LocaleMiddleware has already picked a language
    for anonymous visitors from the language cookie or Accept-Language.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)

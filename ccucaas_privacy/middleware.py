"""Language of API responses."""

from django.utils import translation


class ApiLanguageMiddleware:
    """API clients choose their language with Accept-Language.

    The portal's language comes from its URL (Japanese by default, English under /en/), so
    LocaleMiddleware gives every unprefixed URL Japanese; /api/ has no prefix, and its error
    messages follow the client's Accept-Language instead (Japanese when it names neither).
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith("/api/"):
            language = translation.get_language_from_request(request, check_path=False)
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)

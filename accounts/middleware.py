import zoneinfo
from urllib.parse import unquote

from django.utils import timezone

TIMEZONE_COOKIE = "tz"


class ViewerTimezoneMiddleware:
    """Shows times in the viewer's timezone: the pages' script stores the browser's IANA zone in a cookie."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # The script writes the zone percent-encoded (`Asia%2FTokyo`, as cookie values must be); Django does
        # not decode cookie values.
        name = unquote(request.COOKIES.get(TIMEZONE_COOKIE, ""))
        try:
            zone = zoneinfo.ZoneInfo(name) if name and len(name) < 64 else None
        except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
            zone = None
        if zone is None:
            timezone.deactivate()
        else:
            timezone.activate(zone)
        return self.get_response(request)

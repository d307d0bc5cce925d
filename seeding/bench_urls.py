"""The application's URLs plus the benchmark's floor page (only while benchmarking)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import include, path


@login_required
def floor(request):
    """An authenticated page that renders only the base template."""
    return render(request, "bench_floor.html")


urlpatterns = [
    path("bench/floor/", floor, name="bench_floor"),
    path("", include("ethicsreview.urls")),
]

"""The Police Data page's first load stays within its budget: 100 KB of compressed JavaScript,
300 KB in all (HTML, CSS, JavaScript, icons), measured as WhiteNoise serves them (Brotli)."""

from django.urls import reverse

from performance.shared.budgets import page_transfers

KB = 1024


def test_police_data_page_first_load_is_within_budget(client, demo_data):
    html = client.get(reverse("performance:police-data")).content.decode()
    transfers = page_transfers(html)

    javascript = sum(t.brotli for t in transfers if t.kind == "js")
    total = sum(t.brotli for t in transfers)
    assert {t.kind for t in transfers} >= {"html", "css"}
    assert javascript <= 100 * KB, transfers
    assert total <= 300 * KB, transfers


def test_static_files_are_hashed_compressed_and_cached_for_a_year(tmp_path, settings, db):
    from django.core.management import call_command
    from django.test import Client

    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    settings.WHITENOISE_AUTOREFRESH = False
    settings.WHITENOISE_USE_FINDERS = False
    call_command("collectstatic", interactive=False, verbosity=0)
    hashed = next((tmp_path / "css").glob("site.*.css"))
    assert (tmp_path / "css" / f"{hashed.name}.br").exists() and (
        tmp_path / "css" / f"{hashed.name}.gz"
    ).exists()

    response = Client().get(f"/static/css/{hashed.name}", headers={"accept-encoding": "br"})
    assert response.status_code == 200
    assert response["Content-Encoding"] == "br"
    assert "immutable" in response["Cache-Control"] and "max-age=315360000" in response["Cache-Control"]

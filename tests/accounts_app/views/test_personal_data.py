"""P04 contacts, P07 content files, forum posts: scoped to their owner, bad input saves nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts_app.models import Contact, ContentFile, ForumPost, UsageRecord
from accounts_app.services.data import contact_create, content_file_create, forum_post_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


def test_p04_contacts_list_add_edit_delete(alice_client, alice):
    response = alice_client.post(reverse("accounts:contact-new"), {
        "name": "山田 太郎", "email": "taro@example.jp", "postal_address": "東京都千代田区1-1",
        "phone": "03-1234-5678"})
    assert response.status_code == 302
    contact = Contact.objects.get(user=alice)
    assert "山田 太郎" in alice_client.get(reverse("accounts:contacts")).content.decode()
    alice_client.post(reverse("accounts:contact-edit", args=[contact.public_id]),
                      {"name": "山田 花子", "email": "", "postal_address": "", "phone": ""})
    contact.refresh_from_db()
    assert contact.name == "山田 花子" and contact.email == ""
    alice_client.post(reverse("accounts:contact-delete", args=[contact.public_id]))
    assert not Contact.objects.exists()


def test_p04_invalid_contact_email_is_refused(alice_client):
    response = alice_client.post(reverse("accounts:contact-new"), {"name": "X", "email": "bad"})
    assert response.status_code == 200
    assert not Contact.objects.exists()


def _csv(text: str, encoding: str = "utf-8") -> SimpleUploadedFile:
    return SimpleUploadedFile("contacts.csv", text.encode(encoding), content_type="text/csv")


def test_p04_csv_import_saves_every_row(alice_client, alice):
    data = "name,email,postal_address,phone\n山田 太郎,taro@example.jp,東京都,03-1234-5678\nBob,,,\n"
    response = alice_client.post(reverse("accounts:contacts-import"), {"file": _csv(data)})
    assert response.status_code == 302
    assert sorted(Contact.objects.filter(user=alice).values_list("name", flat=True)) == [
        "Bob", "山田 太郎"]


def test_p04_csv_import_reads_shift_jis_from_excel(alice_client, alice):
    data = "name,phone\n佐藤 花子,090-0000-0000\n"
    response = alice_client.post(reverse("accounts:contacts-import"), {"file": _csv(data, "cp932")})
    assert response.status_code == 302
    assert Contact.objects.get(user=alice).name == "佐藤 花子"


def test_p04_csv_import_with_broken_rows_saves_nothing_and_lists_each_row(alice_client):
    data = ("name,email,postal_address,phone\n"
            "Good,good@example.jp,,\n"
            ",missing-name@example.jp,,\n"
            "Bad email,not-an-email,,\n"
            "Too,many,columns,here,extra\n")
    response = alice_client.post("/en/account/contacts/import/", {"file": _csv(data)})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Line 3" in page and "Line 4" in page and "Line 5" in page
    assert "Line 2" not in page
    assert not Contact.objects.exists()


@pytest.mark.parametrize("data", ["", "foo,bar\n1,2\n", "name\n", b"\xff\xfe\x00garbage".decode("latin-1")])
def test_p04_csv_import_refuses_a_file_without_the_expected_header_or_rows(alice_client, data):
    response = alice_client.post(reverse("accounts:contacts-import"), {"file": _csv(data, "latin-1")})
    assert response.status_code == 400
    assert not Contact.objects.exists()


def test_p07_upload_records_metadata_and_shows_whether_stored_outside_japan(
        alice_client, alice, content_dir):
    alice_client.post(reverse("accounts:files"), {
        "file": SimpleUploadedFile("plan.pdf", b"%PDF-1.4 plan", content_type="application/pdf"),
        "storage_region": "us-west-2"})
    alice_client.post(reverse("accounts:files"), {
        "file": SimpleUploadedFile("memo.txt", b"memo"), "storage_region": "ap-northeast-1"})
    files = {f.name: f for f in ContentFile.objects.filter(user=alice)}
    assert files["plan.pdf"].size_bytes == len(b"%PDF-1.4 plan")
    assert files["plan.pdf"].outside_japan is True
    assert files["memo.txt"].outside_japan is False
    assert (content_dir / files["plan.pdf"].file.name).exists()
    page = alice_client.get("/en/account/files/").content.decode()
    assert "Yes, outside Japan" in page and "No, in Japan" in page
    assert UsageRecord.objects.filter(user=alice, feature="content_upload").count() == 2


def test_p07_oversized_upload_is_refused_and_nothing_is_stored(alice_client, settings, content_dir):
    settings.ACCOUNT_CONTENT_MAX_BYTES = 10
    response = alice_client.post(reverse("accounts:files"), {
        "file": SimpleUploadedFile("big.bin", b"x" * 11), "storage_region": "us-west-2"})
    assert response.status_code == 400
    assert not ContentFile.objects.exists()
    assert not content_dir.exists() or not any(content_dir.rglob("*.bin"))


def test_forum_posts_write_edit_delete(alice_client, alice):
    alice_client.post(reverse("accounts:post-new"), {"title": "Hello", "body": "First post",
                                                     "published": "on"})
    post = ForumPost.objects.get(user=alice)
    assert post.published
    alice_client.post(reverse("accounts:post-edit", args=[post.public_id]),
                      {"title": "Hello again", "body": "Edited"})
    post.refresh_from_db()
    assert (post.title, post.published) == ("Hello again", False)
    alice_client.post(reverse("accounts:post-delete", args=[post.public_id]))
    assert not ForumPost.objects.exists()


def test_another_users_contacts_files_and_posts_are_404(client, alice, bob, content_dir):
    contact = contact_create(user=bob, name="Bob's friend")
    content = content_file_create(user=bob, upload=SimpleUploadedFile("b.txt", b"b"),
                                  storage_region="us-west-2")
    post = forum_post_create(user=bob, title="Bob's post", body="...")
    client.force_login(alice)
    for name, public_id in [("contact-edit", contact.public_id), ("post-edit", post.public_id)]:
        assert client.get(reverse(f"accounts:{name}", args=[public_id])).status_code == 404
        assert client.post(reverse(f"accounts:{name}", args=[public_id]),
                           {"name": "x", "title": "x", "body": "x"}).status_code == 404
    for name, public_id in [("contact-delete", contact.public_id),
                            ("file-delete", content.public_id),
                            ("post-delete", post.public_id)]:
        assert client.post(reverse(f"accounts:{name}", args=[public_id])).status_code == 404
    for name in ("contacts", "files", "posts"):
        page = client.get(reverse(f"accounts:{name}")).content.decode()
        assert "Bob" not in page and "b.txt" not in page
    contact.refresh_from_db()
    post.refresh_from_db()
    assert contact.name == "Bob's friend" and post.title == "Bob's post"
    assert ContentFile.objects.filter(pk=content.pk).exists()


def test_personal_data_pages_need_sign_in(client):
    for name in ("settings", "contacts", "files", "posts", "profile", "close"):
        response = client.get(reverse(f"accounts:{name}"))
        assert response.status_code == 302 and "/sign-in/" in response["Location"]


@pytest.mark.parametrize("page", ["contacts", "files", "posts", "settings"])
def test_list_pages_use_a_constant_number_of_queries(alice_client, alice, content_dir,
                                                     django_assert_max_num_queries, page):
    def add(n):
        for i in range(n):
            contact_create(user=alice, name=f"c{i}")
            content_file_create(user=alice, upload=SimpleUploadedFile(f"f{i}.txt", b"x"),
                                storage_region="us-west-2")
            forum_post_create(user=alice, title=f"p{i}", body="b")

    add(1)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        alice_client.get(reverse(f"accounts:{page}"))
    add(20)
    with django_assert_max_num_queries(len(one.captured_queries)):
        alice_client.get(reverse(f"accounts:{page}"))

"""Photo uploads: checked by content (Pillow), by size and by pixel count, and re-encoded
so that EXIF, including the GPS position of a resident's home, never reaches storage."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from PIL import ExifTags, Image

from linli.requests.models import Request
from linli.requests.services import MAX_PHOTO_BYTES, MAX_PHOTO_PIXELS, clean_photo
from tests.cast import Cast
from tests.conftest import login
from tests.requests.support import jpeg_bytes, upload

LATITUDE = (37.0, 8.0, 30.0)


def gps_exif() -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Linli Phone"
    exif[ExifTags.Base.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: LATITUDE,
        ExifTags.GPS.GPSLongitudeRef: "E",
        ExifTags.GPS.GPSLongitude: (111.0, 46.0, 10.0),
    }
    return exif


def refusal(content: bytes, name: str = "photo.jpg") -> list[str]:
    with pytest.raises(ValidationError) as raised:
        clean_photo(upload(content, name))
    return raised.value.message_dict["photos"]


@pytest.mark.django_db
def test_a_photo_with_gps_uploaded_through_the_page_is_stored_without_it(
    cast: Cast, client: Client
) -> None:
    original = jpeg_bytes((120, 90), exif=gps_exif())
    with Image.open(BytesIO(original)) as check:
        gps = check.getexif().get_ifd(ExifTags.IFD.GPSInfo)
        assert gps[ExifTags.GPS.GPSLatitude] == LATITUDE, "the test photo must carry GPS"
    assert b"Linli Phone" in original

    response = login(client, "resident").post(
        reverse("requests:report"),
        {"text": "楼道灯坏了", "place": "home", "photos": [upload(original, "IMG_0001.JPG")]},
    )

    assert response.status_code == 302
    photo = Request.objects.get().photos.get()
    with photo.image.open("rb") as stored:
        data = stored.read()
    assert b"Exif" not in data
    assert b"Linli Phone" not in data
    with Image.open(BytesIO(data)) as image:
        assert image.format == "JPEG"
        assert dict(image.getexif()) == {}
        assert image.size == (120, 90)


def test_the_type_is_judged_by_content_not_by_name() -> None:
    assert refusal(b"<?php echo 'hi'; ?>", "photo.jpg") == ["无法识别的图片文件,请重新拍照上传。"]
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"
    assert refusal(pdf, "photo.png") == ["无法识别的图片文件,请重新拍照上传。"]
    # A real image with a misleading name is accepted and stored as JPEG.
    buffer = BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, format="PNG")
    assert clean_photo(upload(buffer.getvalue(), "notes.txt", "text/plain")).name == "photo.jpg"


def test_formats_that_are_images_but_not_photos_are_refused() -> None:
    buffer = BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, format="BMP")
    assert refusal(buffer.getvalue(), "photo.bmp") == [
        "只能上传 JPG、PNG、WEBP 或 GIF 格式的照片。"
    ]


def test_a_file_over_the_size_limit_is_refused_before_decoding() -> None:
    too_big = jpeg_bytes() + b"\0" * MAX_PHOTO_BYTES
    assert refusal(too_big) == ["照片不能超过 8 MB。"]


def test_a_decompression_bomb_is_refused_before_its_pixels_are_read() -> None:
    side = 10_000  # 100 million pixels in a PNG of a few kilobytes
    assert side * side > MAX_PHOTO_PIXELS
    buffer = BytesIO()
    Image.new("1", (side, side)).save(buffer, format="PNG")
    assert len(buffer.getvalue()) < 100_000
    assert refusal(buffer.getvalue(), "bomb.png") == ["照片尺寸过大,请缩小后再上传。"]

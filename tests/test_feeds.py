"""Streaming feed readers: every format, encoding and export shape, resume, errors and memory."""

from __future__ import annotations

import csv
import gzip
import json
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

import netra.data.feeds as feeds
from netra.data.feeds import FeedError, FeedRow, open_feed

TEXTS = ["Ayo coblos nomor 2!", "Rapat koordinasi dinas pukul 09.00", "Dukung Pak Budi, lanjutkan!"]


def read_all(path: Path, **kwargs: Any) -> list[FeedRow]:
    with open_feed(path, **kwargs) as feed:
        return list(feed)


def write_csv(path: Path, rows: list[list[Any]], *, delimiter: str = ",", encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle, delimiter=delimiter).writerows(rows)
    return path


def posts_table() -> list[list[Any]]:
    return [["id", "username", "text", "created_at", "likes"]] + [
        [f"p{i}", f"user{i}", text, f"2024-01-0{i}T10:00:00", i] for i, text in enumerate(TEXTS, start=1)
    ]


def write_jsonl(path: Path, lines: list[Any]) -> Path:
    path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), encoding="utf-8")
    return path


# ------------------------------------------------------------------------------------------- CSV / TSV


def test_csv_comma(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "feed.csv", posts_table())
    with open_feed(path) as feed:
        assert (feed.format, feed.shape, feed.text_column, feed.id_column) == ("csv", "generic", "text", "id")
        rows = list(feed)
    assert [r.text for r in rows] == TEXTS
    assert [r.number for r in rows] == [1, 2, 3]
    assert rows[0].id == "p1" and rows[0].error is None
    assert rows[0].fields == {
        "author": "user1",
        "url": None,
        "posted_at": "2024-01-01T10:00:00",
        "platform": None,
        "id": "p1",
        "username": "user1",
        "created_at": "2024-01-01T10:00:00",
    }
    assert "likes" not in rows[0].fields and "text" not in rows[0].fields


def test_csv_semicolon_with_commas_in_text(tmp_path: Path) -> None:
    table = [["ID", "Akun", "Isi", "Tanggal", "Tautan"]] + [
        [i, f"@asn{i}", f"{t}, kata dia, lagi", "01/02/2024", f"https://www.facebook.com/p/{i}"]
        for i, t in enumerate(TEXTS)
    ]
    path = write_csv(tmp_path / "feed.csv", table, delimiter=";")
    with open_feed(path) as feed:
        assert feed.delimiter == ";" and feed.text_column == "Isi" and feed.id_column == "ID"
        rows = list(feed)
    assert rows[1].text == f"{TEXTS[1]}, kata dia, lagi"
    assert rows[1].fields["author"] == "@asn1"
    assert rows[1].fields["platform"] == "facebook"  # inferred from the URL
    assert rows[1].fields["posted_at"] == "01/02/2024"


def test_tsv(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "feed.tsv", posts_table(), delimiter="\t")
    with open_feed(path) as feed:
        assert (feed.format, feed.delimiter) == ("tsv", "\t")
        assert [r.text for r in feed] == TEXTS


def test_pipe_delimited_txt(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "feed.txt", posts_table(), delimiter="|")
    assert [r.text for r in read_all(path)] == TEXTS


def test_utf8_bom_csv(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "feed.csv", posts_table(), encoding="utf-8-sig")
    with open_feed(path) as feed:
        assert feed.text_column == "text" and feed.id_column == "id"  # no "\ufeffid"
        assert [r.id for r in feed] == ["p1", "p2", "p3"]


def test_utf16_csv_excel_unicode_text(tmp_path: Path) -> None:
    table = [["id", "text"], ["1", "Pilih yang jujur 😊"], ["2", "Café—ok"]]
    path = write_csv(tmp_path / "feed.csv", table, delimiter="\t", encoding="utf-16")  # BOM + UTF-16LE
    with open_feed(path) as feed:
        assert feed.encoding == "utf-16-le" and feed.format == "tsv"
        rows = list(feed)
    assert [r.text for r in rows] == ["Pilih yang jujur 😊", "Café—ok"]
    assert all(r.error is None for r in rows)


def test_cp1252_csv(tmp_path: Path) -> None:
    table = [["id", "message"], ["1", "Pemilu “jujur” – café"], ["2", "Seharga €5"]]
    path = write_csv(tmp_path / "feed.csv", table, encoding="cp1252")
    with open_feed(path) as feed:
        assert feed.encoding == "cp1252"
        rows = list(feed)
    assert [r.text for r in rows] == ["Pemilu “jujur” – café", "Seharga €5"]


def test_undecodable_csv_row_yields_an_error_row(tmp_path: Path) -> None:
    good = "id,text\n1,Salam dari Cirebon 👋\n2,Dukung calon kita ✊\n".encode()
    bad_row = b"3,Rusak \xff\xfe di sini\n"
    path = tmp_path / "feed.csv"
    path.write_bytes(good + bad_row + "4,Terakhir é\n".encode())
    rows = read_all(path)
    assert [r.number for r in rows] == [1, 2, 3, 4]
    assert rows[2].id == "3" and rows[2].text is None
    assert rows[2].error == f"undecodable bytes at byte {len(good) + len('3,Rusak ')}"
    assert rows[3].text == "Terakhir é" and rows[3].error is None


def test_undecodable_row_after_the_sample(tmp_path: Path) -> None:
    head = b"id,text\n" + b"".join(b"%d,baris biasa nomor %d\n" % (i, i) for i in range(1, 5001))
    assert len(head) > 64 * 1024  # the encoding is decided on the first 64 KiB: plain UTF-8
    path = tmp_path / "feed.csv"
    path.write_bytes(head + b"5001,caf\xe9\n5002,lagi\n")
    rows = read_all(path, start_after=4999)
    assert [(r.number, r.error) for r in rows] == [
        (5000, None),
        (5001, f"undecodable bytes at byte {len(head) + 8}"),
        (5002, None),
    ]


def test_wrong_field_counts_blank_and_empty_text(tmp_path: Path) -> None:
    path = tmp_path / "feed.csv"
    path.write_text('id,text,url\n1,"satu",https://x.com/a/status/1\n\n2\n3,   ,\n4,empat,u,extra\n,,\n')
    rows = read_all(path)
    assert [(r.number, r.id, r.text, r.error) for r in rows] == [
        (1, "1", "satu", None),
        (2, "2", None, "missing text"),  # too few fields: missing ones are None
        (3, "3", "", "missing text"),  # whitespace only
        (4, "4", "empat", None),  # an extra field is ignored
    ]
    assert rows[0].fields["platform"] == "x"


def test_very_long_field_and_multiline_quotes(tmp_path: Path) -> None:
    long_text = "kampanye " * 250_000  # 2.25 MB, far over csv's default 128 KiB field limit
    table = [["id", "text"], ["1", long_text], ["2", "baris\ndengan\r\nganti baris"], ["3", "akhir"]]
    path = write_csv(tmp_path / "feed.csv", table)
    rows = read_all(path)
    assert [r.text for r in rows] == [long_text, "baris\ndengan\r\nganti baris", "akhir"]


def test_record_over_the_limit_is_reported_not_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(feeds, "MAX_RECORD_BYTES", 1000)
    path = tmp_path / "feed.csv"
    path.write_text('id,text\n1,ok\n2,"' + "x" * 5000 + '"\n3,masih terbaca\n')
    rows = read_all(path)
    assert [(r.number, r.text) for r in rows] == [(1, "ok"), (2, None), (3, "masih terbaca")]
    assert "longer than 1000 bytes" in (rows[1].error or "")
    jsonl = tmp_path / "feed.jsonl"
    jsonl.write_text('{"text": "a"}\n{"text": "' + "y" * 5000 + '"}\n{"text": "c"}\n')
    rows = read_all(jsonl)
    assert [r.text for r in rows] == ["a", None, "c"]
    assert rows[1].error == "line 2 is longer than 1000 bytes"


def test_old_mac_line_endings(tmp_path: Path) -> None:
    path = tmp_path / "feed.csv"
    path.write_bytes(b"id;text\r1;satu\r2;dua\r")
    assert [r.text for r in read_all(path)] == ["satu", "dua"]


# ------------------------------------------------------------------------------------------------ gzip


def test_gzip_csv(tmp_path: Path) -> None:
    plain = write_csv(tmp_path / "plain.csv", posts_table())
    path = tmp_path / "feed.csv.gz"
    path.write_bytes(gzip.compress(plain.read_bytes()))
    with open_feed(path) as feed:
        assert feed.format == "csv"
        assert [r.text for r in feed] == TEXTS


def test_gzip_jsonl_by_magic_bytes(tmp_path: Path) -> None:
    lines = "".join(json.dumps({"id": i, "content": t}) + "\n" for i, t in enumerate(TEXTS))
    path = tmp_path / "feed.jsonl"  # gzip without the .gz suffix
    path.write_bytes(gzip.compress(lines.encode()))
    rows = read_all(path)
    assert [r.text for r in rows] == TEXTS and rows[2].id == "2"


def test_truncated_gzip_ends_with_an_error_row(tmp_path: Path) -> None:
    lines = "".join(json.dumps({"text": f"post {i} " + "x" * 50}) + "\n" for i in range(2000))
    path = tmp_path / "feed.jsonl.gz"
    path.write_bytes(gzip.compress(lines.encode())[:3000])
    rows = read_all(path)
    assert rows[-1].error and "reading stopped" in rows[-1].error
    assert all(r.error is None for r in rows[:-1]) and len(rows) > 10


# ----------------------------------------------------------------------------------------------- JSONL


def test_jsonl_malformed_and_non_object_lines(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl"
    path.write_text(
        '{"id": "a", "text": "satu"}\n'
        '{"id": "b", "text": "dua"\n'
        "\n"
        '["not", "an", "object"]\n'
        '{"id": "c", "text": ""}\n'
        '{"id": "d", "caption": "tanpa text"}\n'
        '{"id": "e", "text": "lima"}\n',
        encoding="utf-8",
    )
    rows = read_all(path)
    assert [r.number for r in rows] == [1, 2, 3, 4, 5, 6]
    assert rows[0].text == "satu" and rows[0].error is None
    assert rows[1].error is not None and rows[1].error.startswith("malformed JSON line: ")
    assert rows[1].error.endswith("(line 2)")
    assert rows[2].error == "malformed JSON line: expected a JSON object, got array (line 4)"
    assert (rows[3].text, rows[3].error) == ("", "missing text")
    assert (rows[4].text, rows[4].error) == (None, "missing text")
    assert rows[5].text == "lima"


def test_json_suffix_holding_jsonl(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "dump.json", [{"message": t} for t in TEXTS])
    with open_feed(path) as feed:
        assert feed.format == "jsonl"
        assert [r.text for r in feed] == TEXTS


# ------------------------------------------------------------------------------------------------ JSON


def test_json_array(tmp_path: Path) -> None:
    records = [{"post_id": i, "body": t, "user": {"username": f"u{i}"}} for i, t in enumerate(TEXTS)]
    path = tmp_path / "feed.json"
    path.write_text(json.dumps([*records, 42], indent=2), encoding="utf-8")
    with open_feed(path) as feed:
        assert (feed.format, feed.shape, feed.text_column, feed.id_column) == (
            "json",
            "generic",
            "body",
            "post_id",
        )
        rows = list(feed)
    assert [r.text for r in rows[:3]] == TEXTS
    assert rows[1].fields["author"] == "u1" and "user" not in rows[1].fields  # never a whole object
    assert rows[3].error == "malformed JSON element: expected an object, got number"


def test_json_object_wrapping_records(tmp_path: Path) -> None:
    document = {"meta": {"total": 3}, "items": [{"id": i, "text": t} for i, t in enumerate(TEXTS)]}
    path = tmp_path / "feed.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    assert [r.text for r in read_all(path)] == TEXTS


def test_truncated_json_array(tmp_path: Path) -> None:
    path = tmp_path / "feed.json"
    path.write_text('[{"text": "satu"}, {"text": "dua"}, {"text": "ti', encoding="utf-8")
    rows = read_all(path)
    assert [r.text for r in rows[:2]] == ["satu", "dua"]
    assert len(rows) == 3 and rows[2].error and rows[2].error.endswith("reading stopped")


def test_undecodable_bytes_in_json_array(tmp_path: Path) -> None:
    path = tmp_path / "feed.json"
    head = '[{"text": "satu 😊"}, {"text": "dua "'.encode()
    path.write_bytes(head[:-1] + b"\xff" + head[-1:] + b'}, {"text": "tiga"}]')
    rows = read_all(path)
    assert [r.text for r in rows] == ["satu 😊", None, "tiga"]
    assert rows[1].error == f"undecodable bytes at byte {len(head) - 1}"


# ----------------------------------------------------------------------------------------------- X / Twitter


def v2_response(
    first: int, count: int, *, includes: bool = True, includes_first: bool = False
) -> dict[str, Any]:
    data = [
        {
            "id": str(1_750_000_000_000_000_000 + i),
            "text": f"Tweet {i} &amp; coblos &lt;2&gt;",
            "author_id": str(100 + i % 2),
            "created_at": "2024-02-01T08:00:00.000Z",
            "edit_history_tweet_ids": [str(i)],
        }
        for i in range(first, first + count)
    ]
    users = {"users": [{"id": "100", "username": "asn_satu"}]}
    if not includes:
        return {"data": data, "meta": {"result_count": count}}
    if includes_first:
        return {"includes": users, "data": data, "meta": {"result_count": count}}
    return {"data": data, "includes": users, "meta": {"result_count": count}}  # the order X sends


@pytest.mark.parametrize("includes_first", [False, True])
def test_x_api_v2_single_object(tmp_path: Path, includes_first: bool) -> None:
    response = v2_response(0, 3, includes_first=includes_first)
    response["data"][2]["note_tweet"] = {"text": "Tulisan panjang lengkap &amp; utuh"}
    path = tmp_path / "search.json"
    path.write_text(json.dumps(response), encoding="utf-8")
    with open_feed(path) as feed:
        assert (feed.format, feed.shape, feed.text_column) == ("json", "x_api_v2", "text")
        rows = list(feed)
    assert [r.text for r in rows] == [
        "Tweet 0 & coblos <2>",
        "Tweet 1 & coblos <2>",
        "Tulisan panjang lengkap & utuh",
    ]
    assert rows[0].id == "1750000000000000000"
    assert rows[0].fields["author"] == "asn_satu"  # from includes.users
    assert rows[0].fields["url"] == "https://x.com/asn_satu/status/1750000000000000000"
    assert rows[1].fields["author"] == "101"  # not in includes: the author id
    assert rows[1].fields["url"] == "https://x.com/i/web/status/1750000000000000001"
    assert rows[0].fields["platform"] == "x" and rows[0].fields["posted_at"] == "2024-02-01T08:00:00.000Z"


def test_x_api_v2_single_tweet_lookup(tmp_path: Path) -> None:
    path = tmp_path / "tweet.json"
    path.write_text(
        json.dumps({"data": {"id": "9", "text": "satu saja", "author_id": "1"}}), encoding="utf-8"
    )
    rows = read_all(path)
    assert [(r.number, r.id, r.text) for r in rows] == [(1, "9", "satu saja")]


def test_x_api_v2_jsonl_of_responses(tmp_path: Path) -> None:
    lines: list[Any] = [v2_response(0, 3), v2_response(3, 2, includes=False)]
    lines.append({"errors": [{"title": "Not Found Error", "detail": "Could not find tweet"}]})
    lines.append(v2_response(5, 2))
    path = write_jsonl(tmp_path / "responses.jsonl", lines)
    with open_feed(path) as feed:
        assert (feed.format, feed.shape) == ("jsonl", "x_api_v2")
        rows = list(feed)
    assert [r.number for r in rows] == list(range(1, 9))
    assert [r.text for r in rows[:5]] == [f"Tweet {i} & coblos <2>" for i in range(5)]
    assert rows[5].error == "API response without tweets: Could not find tweet"
    assert rows[6].id == "1750000000000000005" and rows[6].fields["author"] == "101"
    resumed = read_all(path, start_after=4)
    assert [(r.number, r.id) for r in resumed] == [(r.number, r.id) for r in rows[4:]]


def test_x_archive_tweets_js(tmp_path: Path) -> None:
    tweets = [
        {
            "tweet": {
                "id_str": "1600000000000000001",
                "full_text": "Kampanye &amp; sosialisasi",
                "created_at": "Wed Oct 10 20:19:24 +0000 2018",
            }
        },
        {"tweet": {"id_str": "1600000000000000002", "full_text": "Hari kedua", "created_at": "bogus"}},
    ]
    path = tmp_path / "tweets.js"
    path.write_text("window.YTD.tweets.part0 = " + json.dumps(tweets, indent=2), encoding="utf-8")
    with open_feed(path) as feed:
        assert (feed.format, feed.shape, feed.text_column) == ("json", "x_archive", "full_text")
        rows = list(feed)
    assert [r.text for r in rows] == ["Kampanye & sosialisasi", "Hari kedua"]
    assert rows[0].id == "1600000000000000001"
    assert rows[0].fields["posted_at"] == "2018-10-10T20:19:24+00:00"
    assert rows[0].fields["url"] == "https://x.com/i/web/status/1600000000000000001"
    assert rows[1].fields["posted_at"] == "bogus"


# ----------------------------------------------------------------------------------------------- Facebook


def test_crowdtangle_facebook_csv(tmp_path: Path) -> None:
    header = ["Page Name", "User Name", "Facebook Id", "Page Category", "Page Description", "Post Created"]
    header += ["Type", "Total Interactions", "URL", "Message", "Link", "Description", "Link Text"]
    row = ["Dinas Kominfo", "kominfo.kab", "1234567", "Government", "Akun resmi", "2024-01-14 09:30:00 WIB"]
    row += ["Photo", "1,204", "https://www.facebook.com/kominfo.kab/posts/987", "Mari sukseskan pemilu damai"]
    row += ["https://example.org", "deskripsi tautan", "judul tautan"]
    second = ["", "pribadi", "55", "", "", "2024-01-15 10:00:00 WIB", "Status", "3"]
    second += ["https://www.facebook.com/pribadi/posts/1", "", "", "", ""]
    path = write_csv(tmp_path / "crowdtangle.csv", [header, row, second])
    with open_feed(path) as feed:
        assert (feed.shape, feed.text_column, feed.id_column) == ("facebook_csv", "Message", "URL")
        rows = list(feed)
    first = rows[0]
    assert first.text == "Mari sukseskan pemilu damai"
    assert first.id == "https://www.facebook.com/kominfo.kab/posts/987"
    assert {k: first.fields[k] for k in ("author", "url", "posted_at", "platform")} == {
        "author": "Dinas Kominfo",
        "url": "https://www.facebook.com/kominfo.kab/posts/987",
        "posted_at": "2024-01-14 09:30:00 WIB",
        "platform": "facebook",
    }
    assert first.fields["Facebook Id"] == "1234567" and first.fields["Link"] == "https://example.org"
    for content in ("Message", "Page Description", "Description", "Link Text", "Total Interactions"):
        assert content not in first.fields
    assert rows[1].fields["author"] == "pribadi"  # no Page Name: the User Name
    assert (rows[1].text, rows[1].error) == ("", "missing text")


# ----------------------------------------------------------------------------------------------- Instagram


def mojibake(text: str) -> str:
    return text.encode("utf-8").decode("latin-1")


def test_instagram_posts_json_with_mojibake(tmp_path: Path) -> None:
    posts = [
        {
            "media": [
                {
                    "uri": "media/posts/202401/a.jpg",
                    "creation_timestamp": 1704067200,
                    "title": mojibake("Coblos 😊 ya"),
                }
            ]
        },
        {
            "media": [
                {"uri": "media/posts/202401/b.jpg", "creation_timestamp": 1704153600, "title": ""},
                {"uri": "media/posts/202401/c.jpg", "creation_timestamp": 1704153600, "title": ""},
            ],
            "title": mojibake("Karnaval budaya — café"),
            "creation_timestamp": 1704153600,
        },
        {"media": [{"uri": "media/posts/202401/d.jpg", "creation_timestamp": 1704240000, "title": ""}]},
        {"media": [{"uri": "x.jpg", "creation_timestamp": 1704240000, "title": "Sudah benar: é"}]},
    ]
    path = tmp_path / "posts_1.json"
    path.write_text(json.dumps(posts), encoding="utf-8")
    with open_feed(path) as feed:
        assert (feed.shape, feed.text_column) == ("instagram_download", "title")
        rows = list(feed)
    assert rows[0].text == "Coblos 😊 ya"
    assert rows[0].fields["posted_at"] == "2024-01-01T00:00:00+00:00"
    assert rows[0].fields["platform"] == "instagram" and rows[0].fields["uri"] == "media/posts/202401/a.jpg"
    assert rows[1].text == "Karnaval budaya — café"
    assert (rows[2].text, rows[2].error) == ("", "missing text")
    assert rows[3].text == "Sudah benar: é"  # not double-decoded


def test_instagram_comments_json(tmp_path: Path) -> None:
    comments = {
        "comments_media_comments": [
            {
                "string_map_data": {
                    "Comment": {"value": mojibake("Setuju 👍")},
                    "Media Owner": {"value": "kades_maju"},
                    "Time": {"timestamp": 1704067200},
                }
            }
        ]
    }
    path = tmp_path / "post_comments.json"
    path.write_text(json.dumps(comments), encoding="utf-8")
    with open_feed(path) as feed:
        assert feed.shape == "instagram_download"
        rows = list(feed)
    assert rows[0].text == "Setuju 👍"
    assert rows[0].fields["kind"] == "comment" and rows[0].fields["media_owner"] == "kades_maju"
    assert rows[0].fields["posted_at"] == "2024-01-01T00:00:00+00:00"


# ----------------------------------------------------------------------------------------------- TikTok


def test_tiktok_user_data_json(tmp_path: Path) -> None:
    document = {
        "Activity": {"Video Browsing History": {"VideoList": [{"Date": "2024-01-01 00:00:00", "Link": "x"}]}},
        "Comment": {
            "Comments": {"CommentsList": [{"Date": "2024-01-03 08:00:00", "Comment": "Mantap pak!"}]}
        },
        "Profile": {"Profile Information": {"ProfileMap": {"userName": "asn_tiktok"}}},
        "Video": {
            "Videos": {
                "VideoList": [
                    {
                        "Date": "2024-01-02 12:30:00",
                        "Link": "https://www.tiktokv.com/share/video/7320000000000000001/",
                        "Likes": "12",
                        "Title": "Sosialisasi pemilu",
                    },
                    {
                        "date": "2024-01-04 12:30:00",
                        "link": "https://www.tiktokv.com/share/video/7/",
                        "desc": "",
                    },
                ]
            }
        },
    }
    path = tmp_path / "user_data.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    with open_feed(path) as feed:
        assert feed.shape == "tiktok_download"
        rows = list(feed)
    assert [(r.number, r.fields["kind"], r.text) for r in rows] == [
        (1, "comment", "Mantap pak!"),
        (2, "video", "Sosialisasi pemilu"),
        (3, "video", ""),
    ]
    assert rows[1].id == "7320000000000000001"
    assert rows[1].fields["url"] == "https://www.tiktokv.com/share/video/7320000000000000001/"
    assert rows[1].fields["posted_at"] == "2024-01-02T12:30:00" and rows[1].fields["platform"] == "tiktok"
    assert rows[2].error == "missing text"
    assert [r.number for r in read_all(path, start_after=2)] == [3]


# ----------------------------------------------------------------------------------------------- Parquet / XLSX


def test_parquet_with_resume_across_row_groups(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    count = 25
    table = pa.table(
        {
            "tweet_id": [f"t{i}" for i in range(count)],
            "full_text": [f"tweet nomor {i}" for i in range(count)],
            "author": [f"u{i}" for i in range(count)],
            "blob": [b"x" * 10] * count,
        }
    )
    path = tmp_path / "feed.parquet"
    pq.write_table(table, path, row_group_size=10)
    with open_feed(path) as feed:
        assert (feed.format, feed.text_column, feed.id_column) == ("parquet", "full_text", "tweet_id")
        rows = list(feed)
    assert [r.text for r in rows] == [f"tweet nomor {i}" for i in range(count)]
    assert rows[3].fields["author"] == "u3" and "blob" not in rows[3].fields
    resumed = read_all(path, start_after=13)
    assert [(r.number, r.id) for r in resumed] == [(i + 1, f"t{i}") for i in range(13, count)]


def test_xlsx(tmp_path: Path) -> None:
    import datetime as dt

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["No", "Nama Akun", "Caption", "Tanggal Posting", "Jumlah Like"])
    sheet.append([1, "asn_a", "Ayo ke TPS", dt.datetime(2024, 2, 14, 7, 0), 10])
    sheet.append([None, None, None, None, None])
    sheet.append([2, "asn_b", 12345, dt.datetime(2024, 2, 14, 8, 0), 3])
    sheet.append([3, "asn_c"])
    path = tmp_path / "feed.xlsx"
    book.save(path)
    with open_feed(path) as feed:
        assert (feed.format, feed.text_column) == ("xlsx", "Caption")
        rows = list(feed)
    assert [(r.number, r.text, r.error) for r in rows] == [
        (1, "Ayo ke TPS", None),
        (2, "12345", None),
        (3, None, "missing text"),
    ]
    assert rows[0].fields["author"] == "asn_a"
    assert rows[0].fields["posted_at"] == "2024-02-14T07:00:00"
    assert rows[0].fields["Tanggal Posting"] == "2024-02-14T07:00:00"


# ----------------------------------------------------------------------------------------------- columns and errors


def test_column_override(tmp_path: Path) -> None:
    table = [
        ["kode", "judul", "catatan"],
        ["A1", "Judul satu", "Catatan satu"],
        ["A2", "Judul dua", "Catatan dua"],
    ]
    path = write_csv(tmp_path / "feed.csv", table)
    with open_feed(path, text_column="CATATAN", id_column="kode") as feed:
        assert (feed.text_column, feed.id_column) == ("catatan", "kode")
        rows = list(feed)
    assert [(r.id, r.text) for r in rows] == [("A1", "Catatan satu"), ("A2", "Catatan dua")]
    assert rows[0].fields["kode"] == "A1"
    jsonl = write_jsonl(tmp_path / "feed.jsonl", [{"text": "x", "alt": "pakai ini"}])
    assert read_all(jsonl, text_column="alt")[0].text == "pakai ini"


def test_missing_text_column_error_names_file_and_columns(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "feed.csv", [["kode", "judul", "catatan"], ["A1", "x", "y"]])
    with pytest.raises(FeedError) as info:
        open_feed(path)
    message = str(info.value)
    assert str(path) in message and "no text column found" in message
    assert "'kode', 'judul', 'catatan'" in message and "text_column=" in message
    with pytest.raises(FeedError, match=r"text column 'isi_post' not found; columns: 'kode', 'judul'"):
        open_feed(path, text_column="isi_post")
    jsonl = write_jsonl(tmp_path / "feed.jsonl", [{"a": 1, "b": "x"}])
    with pytest.raises(FeedError, match=r"feed\.jsonl: no text column found .* columns: 'a', 'b'"):
        open_feed(jsonl)


def test_file_level_errors(tmp_path: Path) -> None:
    with pytest.raises(FeedError, match="no such file"):
        open_feed(tmp_path / "nope.csv")
    odd = tmp_path / "feed.dat"
    odd.write_text("id,text\n1,a\n")
    with pytest.raises(FeedError, match=r"cannot tell the format .*'\.dat'.*format="):
        open_feed(odd)
    assert read_all(odd, format="csv")[0].text == "a"
    with pytest.raises(FeedError, match="unknown format 'yaml'"):
        open_feed(odd, format="yaml")
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(FeedError, match="empty"):
        open_feed(empty)
    broken = tmp_path / "broken.json"
    broken.write_text("hello world")
    with pytest.raises(FeedError, match="not JSON"):
        open_feed(broken)
    with pytest.raises(ValueError, match="start_after"):
        open_feed(odd, format="csv", start_after=-1)


def test_start_after_keeps_numbers(tmp_path: Path) -> None:
    records = [{"id": i, "text": f"post {i}"} for i in range(1, 11)]
    jsonl = tmp_path / "feed.jsonl"
    jsonl.write_text(
        "\n".join(json.dumps(r) if r["id"] != 4 else "{broken" for r in records) + "\n\n", encoding="utf-8"
    )
    array = tmp_path / "feed.json"
    array.write_text(json.dumps(records), encoding="utf-8")
    table = write_csv(tmp_path / "feed.csv", [["id", "text"]] + [[r["id"], r["text"]] for r in records])
    for path in (jsonl, array, table):
        full = read_all(path)
        assert [r.number for r in full] == list(range(1, 11))
        for skip in (0, 3, 4, 9, 10, 50):
            resumed = read_all(path, start_after=skip)
            assert [(r.number, r.id, r.text, r.error) for r in resumed] == [
                (r.number, r.id, r.text, r.error) for r in full[skip:]
            ], (path.name, skip)


def test_reader_closes_early(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "feed.csv", posts_table())
    feed = open_feed(path)
    assert next(feed).number == 1
    feed.close()
    feed.close()
    with pytest.raises(StopIteration):
        next(feed)


def test_excel_sep_hint_and_report_preamble(tmp_path: Path) -> None:
    hinted = tmp_path / "hinted.csv"
    hinted.write_text("sep=;\nid;text\n1;halo, semua\n")
    assert [(r.id, r.text) for r in read_all(hinted)] == [("1", "halo, semua")]
    report = tmp_path / "report.csv"
    report.write_text(
        "Laporan Monitoring Medsos ASN\nDiekspor: 2024-01-01\n\nno,akun,konten,tanggal\n1,a,isi satu,2024\n"
    )
    with open_feed(report) as feed:
        assert feed.text_column == "konten"
        rows = list(feed)
    assert [(r.number, r.text, r.fields["author"]) for r in rows] == [(1, "isi satu", "a")]
    bad = tmp_path / "bad.csv"
    bad.write_text("Laporan\nno,akun,judul\n1,a,b\n")
    with pytest.raises(FeedError, match="columns: 'no', 'akun', 'judul'"):
        open_feed(bad)


def test_unterminated_quote_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "feed.csv"
    path.write_text('id,text\n1,satu\n2,"tidak pernah ditutup\n3,tiga\n')
    rows = read_all(path)
    assert [(r.number, r.text) for r in rows] == [(1, "satu"), (2, None)]
    assert rows[1].error == "unterminated quote: this record runs to the end of the file"


def test_utf16_jsonl_and_json_from_powershell(tmp_path: Path) -> None:
    records = [{"id": i, "text": f"teks {i} é😊"} for i in range(3)]
    jsonl = tmp_path / "feed.jsonl"
    lines = "\r\n".join(json.dumps(r, ensure_ascii=False) for r in records)
    jsonl.write_bytes("\ufeff".encode("utf-16-le") + lines.encode("utf-16-le"))
    array = tmp_path / "feed.json"
    array.write_text(json.dumps(records, indent=4, ensure_ascii=False), encoding="utf-16")
    for path in (jsonl, array):
        with open_feed(path) as feed:
            assert feed.encoding == "utf-16-le"
            assert [r.text for r in feed] == [r["text"] for r in records]


def test_json_element_larger_than_a_read_chunk(tmp_path: Path) -> None:
    path = tmp_path / "feed.json"
    path.write_text(json.dumps([{"text": "a"}, {"text": "x" * 3_000_000}, {"text": "c", "n": 12345}]))
    assert [len(r.text or "") for r in read_all(path)] == [1, 3_000_000, 1]


# ----------------------------------------------------------------------------------------------- memory


def test_streaming_in_constant_memory(tmp_path: Path) -> None:
    count = 200_000
    line = '{"id": %d, "text": "Postingan nomor %d tentang kegiatan dinas dan pemilu"}'
    jsonl = tmp_path / "big.jsonl"
    array = tmp_path / "big.json"
    with jsonl.open("w", encoding="utf-8") as out_lines, array.open("w", encoding="utf-8") as out_array:
        out_array.write("[\n")
        for start in range(0, count, 10_000):
            chunk = [line % (i, i) for i in range(start, start + 10_000)]
            out_lines.write("\n".join(chunk) + "\n")
            out_array.write(",\n".join(chunk) + ("\n]" if start + 10_000 >= count else ",\n"))
    assert jsonl.stat().st_size > 15_000_000
    for path in (jsonl, array):
        tracemalloc.start()
        try:
            clean = last = 0
            with open_feed(path) as feed:
                for row in feed:  # no assert in the loop: pytest's rewritten asserts are slow
                    last = row.number
                    if row.error is None:
                        clean += 1
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert (clean, last) == (count, count)
        assert peak < 10 * 1024 * 1024, f"{path.name}: peak {peak / 1e6:.1f} MB"

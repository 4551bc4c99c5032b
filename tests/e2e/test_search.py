"""Vietnamese-aware search, q= on lists (SPEC §12, App. C, issue 4):
case, diacritics and đ folded, NFC or NFD input, word prefixes across
names, email, phone digits in any format and the company's name; exact
words rank before prefixes, then words whose marks match what was
typed; % and _ are literal; a q of only punctuation or wildcards is 400.

The records belong to one sales rep who searches as themself, so every
answer is an exact list of ids in rank order."""

import unicodedata

import pytest

from conftest import assert_error

PATH = "/api/v1/contacts"


class Data:
    pass


@pytest.fixture(scope="module")
def ds(crm):
    d = Data()
    d.S = crm.user("sales_rep")
    S = d.S

    def k(**f):
        return crm.contact(S, **f)["id"]

    d.hoasen = crm.company(S, name="Công ty Hoa Sen", domain="hoasen.vn")
    # Creation order is chosen so that the id (the last tie-break) would
    # give the other answer: the rank, not the age, decides.
    d.nguyen_mark = k(first_name="Văn Toàn", last_name="Nguyên")
    d.anh = k(first_name="Anh", last_name="Nguyễn Văn")
    d.dang_bich = k(first_name="Bích", last_name="Đặng Thị")
    d.an = k(first_name="An", last_name="Nguyễn Văn", phone="+84 912 345 678")
    d.tran_dang = k(first_name="Đăng", last_name="Trần Văn")
    d.thi_binh = k(first_name="Bình", last_name="Nguyễn Thị",
                   lifecycle_stage="lead")
    d.lan = k(first_name="Lan", last_name="Phạm", company_id=d.hoasen["id"])
    d.pct = k(first_name="x%y_z")
    d.xay = k(first_name="xay")
    d.ab = k(first_name="ab_cd")
    d.axb = k(first_name="abxcd")
    d.nfd = k(first_name=unicodedata.normalize("NFD", "Yến"),
              last_name=unicodedata.normalize("NFD", "Hoàng"))
    d.mail = k(email="lien.tran@mail-test.vn")
    d.land = k(first_name="Máy bàn", phone="024 3825 1234")
    d.deal = crm.deal(S, name="Hợp đồng phần mềm",
                      company_id=d.hoasen["id"])["id"]
    return d


def search(crm, ds, q, path=PATH, **params):
    return crm.ids(ds.S, path, q=q, **params)


NFD = lambda s: unicodedata.normalize("NFD", s)     # noqa: E731


CASES = [
    # the examples
    ("nguyen van an", ["an", "anh"]),
    ("Nguyen Van An", ["an", "anh"]),
    ("NGUYỄN VĂN AN", ["an", "anh"]),
    (NFD("Nguyễn Văn An"), ["an", "anh"]),
    ("NGUYỄN", ["anh", "an", "thi_binh", "nguyen_mark"]),
    (NFD("nguyễn"), ["anh", "an", "thi_binh", "nguyen_mark"]),
    ("nguyen", ["nguyen_mark", "anh", "an", "thi_binh"]),
    ("Nguyên", ["nguyen_mark", "anh", "an", "thi_binh"]),
    ("dang", ["dang_bich", "tran_dang"]),
    ("DANG", ["dang_bich", "tran_dang"]),
    ("Đăng", ["tran_dang", "dang_bich"]),
    (NFD("Đăng"), ["tran_dang", "dang_bich"]),
    ("Đặng", ["dang_bich", "tran_dang"]),
    ("đặng thị", ["dang_bich"]),
    ("tran van dang", ["tran_dang"]),
    # exact word before prefix
    ("an", ["an", "anh"]),
    ("van", ["nguyen_mark", "anh", "an", "tran_dang"]),
    ("ngu", ["nguyen_mark", "anh", "an", "thi_binh"]),
    ("nguyen thi", ["thi_binh"]),
    # order of words does not matter
    ("an nguyen", ["an", "anh"]),
    # phones, any format
    ("0912345678", ["an"]),
    ("0912 345 678", ["an"]),
    ("+84 912 345 678", ["an"]),
    ("+84912345678", ["an"]),
    ("84912345678", ["an"]),
    ("(+84) 912.345.678", ["an"]),
    ("912345678", ["an"]),
    ("912 345 678", ["an"]),
    ("0912", ["an"]),
    ("091234", ["an"]),
    ("02438251234", ["land"]),
    ("+84 24 3825 1234", ["land"]),
    ("0243", ["land"]),
    ("2438251234", ["land"]),
    # the company's name finds its contacts
    ("hoa sen", ["lan"]),
    ("Công ty Hoa Sen", ["lan"]),
    ("hoa", ["lan", "nfd"]),
    # email
    ("lien.tran@mail-test.vn", ["mail"]),
    ("lien.tran", ["mail"]),
    ("mail-test", ["mail"]),
    # NFD stored, NFC typed and the reverse
    ("hoàng yến", ["nfd"]),
    ("hoang yen", ["nfd"]),
    (NFD("Hoàng"), ["nfd"]),
    # % and _ are literal inside a longer q
    ("x%y", ["pct"]),
    ("x%y_z", ["pct"]),
    ("ab_cd", ["ab"]),
    ("a_c", ["ab"]),          # the words a… and c…, not a wildcard
    ("b_c", []),
    ("%an", ["an", "anh"]),
    ("an%", ["an", "anh"]),
    ("_an_", ["an", "anh"]),
    # nothing
    ("zzz", []),
    ("nguyen zzz", []),
]


@pytest.mark.parametrize("q, expected", CASES,
                         ids=[q.encode("ascii", "backslashreplace").decode()
                              for q, _ in CASES])
def test_search(crm, ds, q, expected):
    assert search(crm, ds, q) == [getattr(ds, n) for n in expected]


@pytest.mark.parametrize("q", [
    "", " ", "%", "_", "%%", "__", "%_%", "...", "-", "@", "!?", "% _ %",
    "\u3000", "\u200b", "+", "()"])
def test_q_without_a_letter_or_digit_is_400(crm, ds, q):
    assert_error(ds.S.get(PATH, params={"q": q}), 400, "q", "invalid")


def test_q_limits(crm, ds):
    assert_error(ds.S.get(PATH, params={"q": "a" * 201}), 400, "q")
    assert search(crm, ds, "a" * 200) == []
    r = ds.S.get(PATH + "?q=%FF%FE")
    assert_error(r, 400, "q")


def test_search_with_filters_and_pages(crm, ds):
    assert search(crm, ds, "nguyen", lifecycle_stage="lead") == [
        ds.thi_binh]
    assert search(crm, ds, "nguyen", **{"id[gt]": ds.anh}) == [
        ds.an, ds.thi_binh]
    full = search(crm, ds, "van")
    for limit in (1, 2, 3):
        assert search(crm, ds, "van", limit=limit) == full
    assert_error(ds.S.get(PATH, params={"q": "van", "foo": "1"}), 400,
                 "foo")


def test_companies_and_deals_are_searched(crm, ds):
    assert search(crm, ds, "hoa sen", "/api/v1/companies") == [
        ds.hoasen["id"]]
    assert search(crm, ds, "hoasen", "/api/v1/companies") == [
        ds.hoasen["id"]]
    assert search(crm, ds, "phan mem", "/api/v1/deals") == [ds.deal]
    assert search(crm, ds, "hoa sen", "/api/v1/deals") == [ds.deal]
    assert search(crm, ds, "lan", "/api/v1/companies") == []


def test_index_follows_changes(crm, ds):
    S = ds.S
    c = crm.contact(S, first_name="Thư", last_name="Võ")
    assert search(crm, ds, "vo thu") == [c["id"]]
    crm.patch("contacts", c["id"], S, first_name="Thảo")
    assert search(crm, ds, "vo thu") == []
    assert search(crm, ds, "vo thao") == [c["id"]]
    # A company renamed: its contacts and deals are found by the new name.
    co = crm.company(S, name="Công ty Mây Trắng")
    crm.patch("contacts", c["id"], S, company_id=co["id"])
    d = crm.deal(S, name="Đơn hàng", company_id=co["id"])
    assert search(crm, ds, "may trang") == [c["id"]]
    crm.patch("companies", co["id"], S, name="Công ty Trời Xanh")
    assert search(crm, ds, "may trang") == []
    assert search(crm, ds, "troi xanh") == [c["id"]]
    assert search(crm, ds, "troi xanh", "/api/v1/companies") == [co["id"]]
    assert search(crm, ds, "troi xanh", "/api/v1/deals") == [d["id"]]
    # Leaving the company.
    crm.patch("contacts", c["id"], S, company_id=None)
    assert search(crm, ds, "troi xanh") == []
    # Phone changes.
    nat, e164 = crm.phone()
    crm.patch("contacts", c["id"], S, phone=nat)
    assert search(crm, ds, nat) == [c["id"]]
    assert search(crm, ds, e164) == [c["id"]]
    # Deleted records are gone from the index.
    assert S.delete("/api/v1/contacts/%d" % c["id"]).status_code == 204
    assert search(crm, ds, "vo thao") == []
    assert S.delete("/api/v1/companies/%d" % co["id"]).status_code == 204
    assert search(crm, ds, "troi xanh", "/api/v1/companies") == []


def test_patches_of_other_fields_keep_the_index(crm, ds):
    """Only a change of a name, the email, the phone or the company
    rewrites a contact's search rows; other fields, and the same value
    given again, leave them as they were."""
    S = ds.S
    co = crm.company(S, name="Công ty Gió Nam")
    nat, e164 = crm.phone()
    c = crm.contact(S, first_name="Khánh", last_name="Lý", phone=nat,
                    email="kl.contact@gionam.vn", company_id=co["id"])
    queries = ("ly khanh", "kl.contact", nat, e164, "gio nam")
    for q in queries:
        assert search(crm, ds, q) == [c["id"]], q
    rows = crm.snapshot(("search_terms",))["search_terms"]
    crm.patch("contacts", c["id"], S, title="Giám đốc", city="Đà Nẵng",
              lifecycle_stage="customer", lead_status="connected")
    crm.patch("contacts", c["id"], S, first_name="Khánh", phone=nat,
              company_id=co["id"], email="KL.Contact@gionam.vn")
    assert crm.snapshot(("search_terms",))["search_terms"] == rows
    for q in queries:
        assert search(crm, ds, q) == [c["id"]], q
    # a name change rewrites them
    crm.patch("contacts", c["id"], S, last_name="Lê")
    assert search(crm, ds, "ly khanh") == []
    assert search(crm, ds, "le khanh") == [c["id"]]
    assert search(crm, ds, "gio nam") == [c["id"]]
    # so does removing the email
    crm.patch("contacts", c["id"], S, email=None)
    assert search(crm, ds, "kl.contact") == []
    assert search(crm, ds, nat) == [c["id"]]


def test_deals_follow_their_companys_name(crm, ds):
    co = crm.company(ds.S, name="Công ty Đồi Cát")
    d = crm.deal(ds.S, name="Hợp đồng", company_id=co["id"])
    k = crm.contact(ds.S, first_name="Tâm", company_id=co["id"])
    crm.patch("companies", co["id"], ds.S, name="Công ty Núi Đá")
    assert search(crm, ds, "nui da", "/api/v1/deals") == [d["id"]]
    assert search(crm, ds, "doi cat", "/api/v1/deals") == []
    # The company deleted: its name finds neither any more.
    assert ds.S.delete("/api/v1/companies/%d" % co["id"]).status_code == 204
    assert search(crm, ds, "nui da", "/api/v1/deals") == []
    assert search(crm, ds, "nui da") == []
    assert search(crm, ds, "hop dong tam") == []
    assert search(crm, ds, "tam") == [k["id"]]


@pytest.mark.xfail(strict=True, reason=(
    "search pages are cut by offset (the '~q' cursor), so a row inserted "
    "ahead of the cursor between pages repeats the last row seen"))
def test_search_pages_are_stable_while_rows_are_inserted(crm):
    me = crm.user("sales_rep")
    q = "Đăng ổn định"
    a = crm.contact(me, first_name="Dang", last_name="Ổn Định")["id"]
    b = crm.contact(me, first_name="Dang", last_name="Ổn Định")["id"]
    assert crm.ids(me, PATH, q=q) == [a, b]
    page, cur = crm.page(me, PATH, q=q, limit=1)
    assert [x["id"] for x in page] == [a] and cur
    # Its marks match what is typed: it ranks first, before the cursor.
    ahead = crm.contact(me, first_name="Đăng", last_name="Ổn Định")["id"]
    assert crm.ids(me, PATH, q=q) == [ahead, a, b]
    seen = [a]
    while cur:
        page, cur = crm.page(me, PATH, q=q, limit=1, cursor=cur)
        seen += [x["id"] for x in page]
    assert seen == [a, b]

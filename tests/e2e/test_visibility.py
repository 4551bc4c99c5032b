"""Who sees which users (SPEC §1): admins see everyone; a manager role
(sales_manager, marketing_manager) sees its team's subtree, and so does
the manager_id of a team; everyone else sees only themselves. A user one
may not see is 404, never 403. Changes to the tree apply at once."""

import pytest

from conftest import (ADMIN_EMAIL, api_token, assert_error, cli_token,
                      db_rows, make_team, make_user)

# name: (role, team)   team None: no team
PEOPLE = {
    "M1": ("sales_manager", "T1"),
    "S": ("sales_specialist", "T1"),
    "M2": ("sales_manager", "T2"),
    "R2": ("sales_rep", "T2"),
    "R3": ("sales_rep", "T3"),
    "MM": ("marketing_manager", "T3"),
    "X": ("sales_rep", "T4"),
    "Y": ("account_executive", "T4"),
    "N": ("sales_manager", None),
    "Z": ("marketer", None),
}

# T1 > T2 > T3, and T4 apart. manager_id: T1 M1, T2 M2, T3 Z, T4 X.
EXPECTED = {
    "M1": {"M1", "S", "M2", "R2", "R3", "MM"},
    "S": {"S"},
    "M2": {"M2", "R2", "R3", "MM"},
    "R2": {"R2"},
    "R3": {"R3"},
    "MM": {"R3", "MM"},          # manager role: own team's subtree
    "X": {"X", "Y"},             # manager_id of T4, though a sales_rep
    "Y": {"Y"},
    "N": {"N"},                  # manager role without a team
    "Z": {"Z", "R3", "MM"},      # manager_id of T3 from outside it
}


class Tree:
    def __init__(self, server, admin):
        self.admin = admin
        t1 = make_team(admin, kind="sales")
        t2 = make_team(admin, kind="sales", parent_id=t1["id"])
        t3 = make_team(admin, kind="sales", parent_id=t2["id"])
        t4 = make_team(admin, kind="sales")
        self.teams = {"T1": t1["id"], "T2": t2["id"], "T3": t3["id"],
                      "T4": t4["id"]}
        self.ids, self.clients = {}, {}
        for name, (role, team) in PEOPLE.items():
            u = make_user(admin, role=role, team_id=team and self.teams[team],
                          name="Người " + name)
            self.ids[name] = u["id"]
            self.clients[name] = server.bearer(api_token(admin, u["id"]))
        for team, mgr in (("T1", "M1"), ("T2", "M2"), ("T3", "Z"),
                          ("T4", "X")):
            self.patch_team(team, manager_id=self.ids[mgr])
        self.names = {v: k for k, v in self.ids.items()}

    def patch_team(self, team, **change):
        r = self.admin.patch("/api/v1/teams/%d" % self.teams[team],
                             json=change)
        assert r.status_code == 200, r.text

    def patch_user(self, name, **change):
        r = self.admin.patch("/api/v1/users/%d" % self.ids[name], json=change)
        assert r.status_code == 200, r.text

    def visible(self, viewer):
        """The names in the viewer's user list (all pages)."""
        r = self.clients[viewer].get("/api/v1/users?limit=500")
        assert r.status_code == 200, r.text
        ids = [u["id"] for u in r.json()["data"]]
        assert ids == sorted(ids)
        assert r.json()["next_cursor"] is None
        return ids

    def check(self, expected):
        for viewer, names in expected.items():
            got = self.visible(viewer)
            want = sorted(self.ids[n] for n in names)
            assert got == want, "%s sees %s, expected %s" % (
                viewer, sorted(self.names.get(i, i) for i in got),
                sorted(names))


@pytest.fixture(scope="module")
def tree(server, admin):
    return Tree(server, admin)


@pytest.mark.parametrize("viewer", sorted(PEOPLE))
def test_user_list_is_the_visible_set(tree, viewer):
    tree.check({viewer: EXPECTED[viewer]})


@pytest.mark.parametrize("viewer", sorted(PEOPLE))
def test_single_user_is_404_when_not_visible(tree, viewer):
    c = tree.clients[viewer]
    for target, uid in tree.ids.items():
        r = c.get("/api/v1/users/%d" % uid)
        if target in EXPECTED[viewer]:
            assert r.status_code == 200, (viewer, target, r.text)
            assert r.json()["id"] == uid
        else:
            assert_error(r, 404, code="not_found")
    assert_error(c.get("/api/v1/users/1"), 404)     # the demo admin


@pytest.mark.parametrize("viewer", sorted(PEOPLE))
def test_patch_of_invisible_user_is_404(tree, viewer):
    c = tree.clients[viewer]
    for target, uid in tree.ids.items():
        if target == viewer:
            continue
        r = c.patch("/api/v1/users/%d" % uid, json={"name": "Đổi"})
        assert_error(r, 403 if target in EXPECTED[viewer] else 404)


def test_admin_sees_everyone(server, admin, tree):
    ids = [u["id"] for u in admin.get("/api/v1/users?limit=500").json()
           ["data"]]
    assert set(tree.ids.values()) <= set(ids)
    assert ids == [r["id"] for r in db_rows(
        server.db, "SELECT id FROM users ORDER BY id LIMIT 500")]


def test_tree_changes_apply_at_once(server, admin):
    t = Tree(server, admin)
    t.check(EXPECTED)
    # A new manager for T4.
    t.patch_team("T4", manager_id=t.ids["Y"])
    t.check({"X": {"X"}, "Y": {"X", "Y"}})
    # T3 moves under T4.
    t.patch_team("T3", parent_id=t.teams["T4"])
    t.check({"M1": {"M1", "S", "M2", "R2"}, "M2": {"M2", "R2"},
             "Y": {"X", "Y", "R3", "MM"}, "Z": {"Z", "R3", "MM"},
             "MM": {"R3", "MM"}})
    # R2 moves to T4.
    t.patch_user("R2", team_id=t.teams["T4"])
    t.check({"M1": {"M1", "S", "M2"}, "M2": {"M2"},
             "Y": {"X", "Y", "R2", "R3", "MM"}})
    # T1 changes manager: M1 keeps the subtree by role, S gains it.
    t.patch_team("T1", manager_id=t.ids["S"])
    t.check({"M1": {"M1", "S", "M2"}, "S": {"M1", "S", "M2"}})
    # T1 loses its manager.
    t.patch_team("T1", manager_id=None)
    t.check({"S": {"S"}, "M1": {"M1", "S", "M2"}})
    # A rep promoted to manager sees the team; a manager demoted does not.
    t.patch_user("R3", role="sales_manager")
    t.patch_user("MM", role="marketer")
    t.check({"R3": {"R3", "MM"}, "MM": {"MM"}})
    # T3 moves back under T2.
    t.patch_team("T3", parent_id=t.teams["T2"])
    t.check({"Y": {"X", "Y", "R2"}, "M1": {"M1", "S", "M2", "R3", "MM"}})


def test_demo_business_visibility(fresh_server):
    """For every demo user, the list is what the rule gives on the demo
    team tree (computed here from teams.parent_id, not team_closure)."""
    srv = fresh_server()
    admin = srv.bearer(cli_token(srv.db, ADMIN_EMAIL))
    teams = db_rows(srv.db, "SELECT id, parent_id, manager_id FROM teams")
    users = db_rows(srv.db, "SELECT id, role, team_id FROM users "
                    "WHERE active = 1")
    assert len(teams) >= 3 and len(users) >= 10
    parent = {t["id"]: t["parent_id"] for t in teams}

    def subtree(root):
        out = set()
        for t in parent:
            a = t
            while a is not None and a != root:
                a = parent[a]
            if a == root:
                out.add(t)
        return out

    checked_managers = 0
    for u in users:
        if u["role"] == "admin":
            want = {x["id"] for x in users}
        else:
            roots = {t["id"] for t in teams if t["manager_id"] == u["id"]}
            if u["role"] in ("sales_manager", "marketing_manager") and \
                    u["team_id"]:
                roots.add(u["team_id"])
            ts = set().union(*[subtree(r) for r in roots]) if roots else set()
            want = {x["id"] for x in users if x["team_id"] in ts} | {u["id"]}
            checked_managers += len(want) > 1
        c = srv.bearer(api_token(admin, u["id"]))
        got = {x["id"] for x in c.get("/api/v1/users?limit=500").json()
               ["data"]}
        assert got == want, u
    assert checked_managers >= 3      # the demo has managers with teams

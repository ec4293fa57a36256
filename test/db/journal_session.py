"""The Python side of test/db/session.test.ts: scenarios on the journal's models, run by real
Flask-SQLAlchemy (Debian's) on a copy of a seeded database. Prints one JSON object: scenario → result.

usage: journal_session.py <journal folder> <sqlite path or SQLAlchemy URL> <scenario>...
(SCENARIO in the path or URL is replaced by each scenario's name)
"""
import json
import sys
from datetime import date

sys.path.insert(0, sys.argv[1])
import os

os.environ["JOURNAL_TESTING"] = "1"
# SCENARIO in the path is replaced by each scenario's name: each runs on its own copy.
def database_url(name):
    where = sys.argv[2].replace("SCENARIO", name)
    return where if "://" in where else "sqlite:///" + where


os.environ["DATABASE_URL"] = database_url(sys.argv[3])

from sqlalchemy.exc import IntegrityError  # noqa: E402
from werkzeug.exceptions import NotFound  # noqa: E402

from journal import create_app  # noqa: E402
from journal.extensions import db  # noqa: E402
from journal.models import Comment, Post, Tag, User, get_or_create_tags  # noqa: E402

def ids(items):
    return [item.id for item in items]


def paginate():
    out = []
    for page, per_page in [(1, 3), (2, 3), (3, 3), (9, 3), (1, 100), (0, 5)]:
        try:
            p = Post.query.order_by(Post.day.desc(), Post.id.desc()).paginate(page=page, per_page=per_page, max_per_page=20, error_out=page != 0)
            out.append([ids(p.items), p.page, p.per_page, p.total, p.pages, p.has_next, p.next_num, p.has_prev, p.prev_num, p.first, p.last])
        except NotFound:
            out.append("404")
    try:
        Post.query.paginate(page=9, per_page=3)
        out.append("no 404")
    except NotFound:
        out.append("404")
    return out


def queries():
    bob = User.query.filter_by(api_key="bob-key-52e1d0").first()
    return {
        "bob": [bob.id, bob.username, bob.bio, bob.display_name],
        "missing": User.query.filter_by(api_key="nope").first() is None,
        "get": Post.query.get(3).title,
        "get_missing": Post.query.get(999) is None,
        "session_get": db.session.get(User, 1).username,
        "count": Post.query.count(),
        "filter": ids(Post.query.filter(Post.author_id == 2).order_by(Post.id.desc()).all()),
        "limit_offset": ids(Post.query.order_by(Post.id).offset(2).limit(3).all()),
        "offset_only": ids(Post.query.order_by(Post.id).offset(5).all()),
        "like": ids(Post.query.filter(Post.title.like("%o%")).order_by(Post.id).all()),
        "ilike": ids(Post.query.filter(Post.title.ilike("%S%")).order_by(Post.id).all()),
        "contains": ids(Post.query.filter(Post.title.contains("ee")).order_by(Post.id).all()),
        "startswith": ids(Post.query.filter(Post.title.startswith("S")).order_by(Post.id).all()),
        "endswith": ids(Post.query.filter(Post.title.endswith("s")).order_by(Post.id).all()),
        "in_": ids(Post.query.filter(Post.id.in_([2, 4, 99])).order_by(Post.id).all()),
        "notin_": ids(Post.query.filter(Post.id.notin_([2, 4])).order_by(Post.id).all()),
        "between": ids(Post.query.filter(Post.day.between(date(2024, 1, 14), date(2024, 2, 11))).order_by(Post.id).all()),
        "day_gt": ids(Post.query.filter(Post.day > date(2024, 2, 11)).order_by(Post.id).all()),
        "tags_any": ids(Post.query.filter(Post.tags.any(name="garden")).order_by(Post.id).all()),
        "join": ids(Post.query.join(User).filter(User.username == "alice").order_by(Post.day.desc()).all()),
        "join_count": Post.query.join(User).filter(User.username == "alice").count(),
        "order_by_none": ids(Post.query.order_by(Post.day.desc()).order_by(None).order_by(Post.id).all()),
        "dynamic_count": [User.query.get(1).posts.count(), User.query.get(2).comments.count()],
        "dynamic_order": ids(User.query.get(1).posts.order_by(Post.day.desc()).limit(2).all()),
        "backref_dynamic": ids(Tag.query.filter_by(name="ideas").first().posts.order_by(Post.id).all()),
        "first_or_404": User.query.filter_by(username="alice").first_or_404().id,
        "date": Post.query.get(1).day.isoformat(),
    }


def not_found():
    out = []
    for thunk in [lambda: Post.query.get_or_404(999, description="post 999 does not exist"), lambda: User.query.filter_by(username="ghost").first_or_404(description="no user called ghost")]:
        try:
            thunk()
            out.append("found")
        except NotFound as error:
            out.append([error.code, error.description])
    return out


def relationships():
    post = Post.query.get(2)
    return {
        "author": post.author.username,
        "tags": sorted(tag.name for tag in post.tags),
        "tags_loaded_order": [tag.name for tag in Post.query.get(6).tags],
        "comments": [[c.id, c.body, c.author.username, c.post.id] for c in post.comments],
        "comment_count": len(post.comments),
        "no_comments": len(Post.query.get(3).comments),
    }


def identity_map():
    a = User.query.get(1)
    b = User.query.filter_by(username="alice").first()
    c = db.session.get(User, 1)
    d = Post.query.get(1).author
    return [a is b, b is c, c is d]


def create_post():
    bob = User.query.filter_by(api_key="bob-key-52e1d0").first()
    post = Post(title="Frost warning", body="Covered the seedlings.", day=date(2024, 3, 10), author=bob)
    post.tags = get_or_create_tags(["Garden", "weather", "garden"])
    db.session.add(post)
    db.session.commit()
    comment = Comment(body="Stay warm!", post=post, author=User.query.get(1))
    db.session.add(comment)
    db.session.commit()
    return [post.id, post.title, sorted(post.tag_names), len(post.comments), comment.id, bob.posts.count()]


def update_post():
    post = Post.query.get(4)
    post.title = "Seed catalogue season (revised)"
    post.day = date(2024, 2, 3)
    post.tags = get_or_create_tags(["garden", "spring"])
    db.session.commit()
    post.tags = []
    db.session.commit()
    return [post.title, post.day.isoformat(), post.tag_names, Tag.query.count()]


def delete_post():
    post = Post.query.get(2)
    db.session.delete(post)
    db.session.commit()
    return [Post.query.count(), Comment.query.count(), Post.query.get(2) is None, Tag.query.filter_by(name="cooking").first().posts.count()]


def integrity_error():
    out = []
    db.session.add(Tag(name="garden"))
    try:
        db.session.commit()
        out.append("committed")
    except IntegrityError:
        db.session.rollback()
        out.append("IntegrityError")
    db.session.add(Tag(name="poetry"))
    db.session.commit()
    out.append(Tag.query.count())
    return out


def autoflush():
    db.session.add(Tag(name="autoflushed"))
    found = Tag.query.filter_by(name="autoflushed").first()
    found_id = found.id if found else None
    db.session.rollback()
    return [found is not None, found_id, Tag.query.filter_by(name="autoflushed").first() is None]


def append_comment():
    post = Post.query.get(3)
    post.comments.append(Comment(body="Appended.", author=User.query.get(2)))
    db.session.commit()
    return [[[c.id, c.post_id, c.author.username] for c in post.comments], Comment.query.count()]


def tag_counts_scenario():
    from journal.models import tag_counts
    first = db.session.query(Tag.id).order_by(Tag.name).first()
    return {"all": [list(row) for row in tag_counts()], "g": [list(row) for row in tag_counts("G")], "none": tag_counts("zzz"), "first": list(first)}


def expire_on_commit():
    alice = User.query.get(1)
    bio = alice.bio
    db.session.execute(db.text("UPDATE user SET bio = 'changed behind its back' WHERE id = 1"))
    before = alice.bio
    db.session.commit()
    return [bio, before, alice.bio]


SCENARIOS = {name: fn for name, fn in globals().items() if callable(fn) and name in sys.argv[3:]}
SCENARIOS["tag_counts"] = tag_counts_scenario

results = {}
for name in sys.argv[3:]:
    # Each scenario on its own database file: one app per scenario.
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url(name)})
    with app.app_context():
        results[name] = SCENARIOS[name]()
        db.session.remove()
print(json.dumps(results))

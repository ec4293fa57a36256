import { PyDate } from '../../src/emit/runtime/datetime.js'
import { column, IntegrityError, sqlCompare, type Criterion } from '../../src/emit/runtime/db.js'
import { NotFound } from '../../src/emit/runtime/errors.js'
import type { journalModels } from './journal-models.js'

/**
 * The scenarios of the data-layer differential tests on the journal's models: each returns what
 * test/db/journal_session.py's function of the same name returns with real Flask-SQLAlchemy.
 * Run on SQLite (session.test.ts) and on Postgres (session-postgres.test.ts).
 */

export type Scenario = (m: ReturnType<typeof journalModels>) => unknown
const ids = (items: { id: number | null }[]) => items.map((item) => item.id)

export const SCENARIOS: Record<string, Scenario> = {
  paginate: ({ Post, c }) => {
    const out: unknown[] = []
    for (const [page, perPage] of [[1, 3], [2, 3], [3, 3], [9, 3], [1, 100], [0, 5]] as const) {
      try {
        const p = Post.query.order_by(c.postDay.desc(), c.postId.desc()).paginate({ page, per_page: perPage, max_per_page: 20, error_out: page !== 0 })
        out.push([ids(p.items), p.page, p.per_page, p.total, p.pages, p.has_next, p.next_num, p.has_prev, p.prev_num, p.first, p.last])
      } catch (error) {
        if (!(error instanceof NotFound)) throw error
        out.push('404')
      }
    }
    try {
      Post.query.paginate({ page: 9, per_page: 3 })
      out.push('no 404')
    } catch (error) {
      if (!(error instanceof NotFound)) throw error
      out.push('404')
    }
    return out
  },
  queries: ({ db, User, Post, Tag, c }) => {
    const bob = User.query.filter_by({ api_key: 'bob-key-52e1d0' }).first()!
    return {
      bob: [bob.id, bob.username, bob.bio, bob.display_name],
      missing: User.query.filter_by({ api_key: 'nope' }).first() === null,
      get: Post.query.get(3)!.title,
      get_missing: Post.query.get(999) === null,
      session_get: (db.session.get(User, 1) as InstanceType<typeof User>).username,
      count: Post.query.count(),
      filter: ids(Post.query.filter(c.postAuthorId.eq(2)).order_by(c.postId.desc()).all()),
      limit_offset: ids(Post.query.order_by(c.postId).offset(2).limit(3).all()),
      offset_only: ids(Post.query.order_by(c.postId).offset(5).all()),
      like: ids(Post.query.filter(c.postTitle.like('%o%')).order_by(c.postId).all()),
      ilike: ids(Post.query.filter(c.postTitle.ilike('%S%')).order_by(c.postId).all()),
      contains: ids(Post.query.filter(c.postTitle.contains('ee')).order_by(c.postId).all()),
      startswith: ids(Post.query.filter(c.postTitle.startswith('S')).order_by(c.postId).all()),
      endswith: ids(Post.query.filter(c.postTitle.endswith('s')).order_by(c.postId).all()),
      in_: ids(Post.query.filter(c.postId.in_([2, 4, 99])).order_by(c.postId).all()),
      notin_: ids(Post.query.filter(c.postId.notin_([2, 4])).order_by(c.postId).all()),
      between: ids(Post.query.filter(c.postDay.between(new PyDate(2024, 1, 14), new PyDate(2024, 2, 11))).order_by(c.postId).all()),
      day_gt: ids(Post.query.filter(sqlCompare('gt', c.postDay, new PyDate(2024, 2, 11)) as Criterion).order_by(c.postId).all()),
      tags_any: ids(Post.query.filter((Post as unknown as { tags: { any(f: object): never } }).tags.any({ name: 'garden' })).order_by(c.postId).all()),
      join: ids(Post.query.join(User).filter(c.username.eq('alice')).order_by(c.postDay.desc()).all()),
      join_count: Post.query.join(User).filter(c.username.eq('alice')).count(),
      order_by_none: ids(Post.query.order_by(c.postDay.desc()).order_by(null).order_by(c.postId).all()),
      dynamic_count: [User.query.get(1)!.posts.count(), User.query.get(2)!.comments.count()],
      dynamic_order: ids(User.query.get(1)!.posts.order_by(c.postDay.desc()).limit(2).all()),
      backref_dynamic: ids(Tag.query.filter_by({ name: 'ideas' }).first()!.posts.order_by(c.postId).all()),
      first_or_404: User.query.filter_by({ username: 'alice' }).first_or_404().id,
      date: Post.query.get(1)!.day.isoformat(),
    }
  },
  not_found: ({ Post, User }) =>
    [() => Post.query.get_or_404(999, 'post 999 does not exist'), () => User.query.filter_by({ username: 'ghost' }).first_or_404('no user called ghost')].map((thunk) => {
      try {
        thunk()
        return 'found'
      } catch (error) {
        if (!(error instanceof NotFound)) throw error
        return [error.code, error.description]
      }
    }),
  relationships: ({ Post }) => {
    const post = Post.query.get(2)!
    return {
      author: post.author.username,
      tags: post.tags.map((tag) => tag.name).sort(),
      tags_loaded_order: Post.query.get(6)!.tags.map((tag) => tag.name),
      comments: post.comments.map((comment) => [comment.id, comment.body, comment.author.username, comment.post.id]),
      comment_count: post.comments.length,
      no_comments: Post.query.get(3)!.comments.length,
    }
  },
  identity_map: ({ db, User, Post }) => {
    const a = User.query.get(1)
    const b = User.query.filter_by({ username: 'alice' }).first()
    const c = db.session.get(User, 1)
    const d = Post.query.get(1)!.author
    return [a === b, b === c, c === d]
  },
  create_post: ({ db, User, Post, Comment, get_or_create_tags }) => {
    const bob = User.query.filter_by({ api_key: 'bob-key-52e1d0' }).first()!
    const post = new Post({ title: 'Frost warning', body: 'Covered the seedlings.', day: new PyDate(2024, 3, 10), author: bob })
    post.tags = get_or_create_tags(['Garden', 'weather', 'garden'])
    db.session.add(post)
    db.session.commit()
    const comment = new Comment({ body: 'Stay warm!', post, author: User.query.get(1) })
    db.session.add(comment)
    db.session.commit()
    return [post.id, post.title, [...post.tag_names].sort(), post.comments.length, comment.id, bob.posts.count()]
  },
  update_post: ({ db, Post, Tag, get_or_create_tags }) => {
    const post = Post.query.get(4)!
    post.title = 'Seed catalogue season (revised)'
    post.day = new PyDate(2024, 2, 3)
    post.tags = get_or_create_tags(['garden', 'spring'])
    db.session.commit()
    post.tags = []
    db.session.commit()
    return [post.title, post.day.isoformat(), post.tag_names, Tag.query.count()]
  },
  delete_post: ({ db, Post, Comment, Tag }) => {
    const post = Post.query.get(2)!
    db.session.delete(post)
    db.session.commit()
    return [Post.query.count(), Comment.query.count(), Post.query.get(2) === null, Tag.query.filter_by({ name: 'cooking' }).first()!.posts.count()]
  },
  integrity_error: ({ db, Tag }) => {
    const out: unknown[] = []
    db.session.add(new Tag({ name: 'garden' }))
    try {
      db.session.commit()
      out.push('committed')
    } catch (error) {
      if (!(error instanceof IntegrityError)) throw error
      db.session.rollback()
      out.push('IntegrityError')
    }
    db.session.add(new Tag({ name: 'poetry' }))
    db.session.commit()
    out.push(Tag.query.count())
    return out
  },
  autoflush: ({ db, Tag }) => {
    db.session.add(new Tag({ name: 'autoflushed' }))
    const found = Tag.query.filter_by({ name: 'autoflushed' }).first()
    const id = found ? found.id : null
    db.session.rollback()
    return [found !== null, id, Tag.query.filter_by({ name: 'autoflushed' }).first() === null]
  },
  append_comment: ({ db, Post, User, Comment }) => {
    const post = Post.query.get(3)!
    post.comments.push(new Comment({ body: 'Appended.', author: User.query.get(2) }))
    db.session.commit()
    return [post.comments.map((comment) => [comment.id, comment.post_id, comment.author.username]), Comment.query.count()]
  },
  tag_counts: ({ db, tag_counts, Tag }) => {
    const first = db.session.query(column(Tag, 'id')).order_by(column(Tag, 'name')).first()
    return { all: tag_counts(), g: tag_counts('G'), none: tag_counts('zzz'), first }
  },
  expire_on_commit: ({ db, User }) => {
    const alice = User.query.get(1)!
    const bio = alice.bio
    db.session.execute(db.text("UPDATE user SET bio = 'changed behind its back' WHERE id = 1"))
    const before = alice.bio
    db.session.commit()
    return [bio, before, alice.bio]
  },
}

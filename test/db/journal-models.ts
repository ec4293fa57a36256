import { PyDate } from '../../src/emit/runtime/datetime.js'
import { column, func, Model, sqlCompare, SQLAlchemy, TableExpression, type Criterion, type Query, type SchemaSpec } from '../../src/emit/runtime/db.js'
import { strMethods } from '../../src/emit/runtime/py.js'

/**
 * The journal's models (fixtures/acceptance/journal/journal/models.py) written against the
 * runtime the way the translated module uses it: a class per model extending `db.Model`, mapped by
 * `db.register`, its columns and relationships as accessors, its methods and properties as written.
 */
export function journalModels(spec: SchemaSpec<unknown>) {
  const db = new SQLAlchemy(spec)

  class User extends Model {
    declare id: number | null
    declare username: string
    declare password_hash: string
    declare bio: string | null
    declare api_key: string | null
    declare posts: Query<Post>
    declare comments: Query<Comment>
    declare static query: Query<User>

    get display_name(): string {
      return strMethods.title(strMethods.replace(this.username, '_', ' '))
    }
  }

  class Tag extends Model {
    declare id: number | null
    declare name: string
    declare posts: Query<Post>
    declare static query: Query<Tag>
  }

  class Post extends Model {
    declare id: number | null
    declare title: string
    declare body: string
    declare day: PyDate
    declare author_id: number
    declare author: User
    declare tags: Tag[]
    declare comments: Comment[]
    declare static query: Query<Post>

    get tag_names(): string[] {
      return this.tags.map((tag) => tag.name).sort()
    }
  }

  class Comment extends Model {
    declare id: number | null
    declare body: string
    declare post_id: number
    declare author_id: number
    declare author: User
    declare post: Post
    declare static query: Query<Comment>
  }

  db.register(User)
  db.register(Tag)
  db.register(Post)
  db.register(Comment)

  function get_or_create_tags(names: string[]): Tag[] {
    const tags: Tag[] = []
    for (const raw of names) {
      const name = strMethods.lower(strMethods.strip(raw))
      if (!name || tags.map((tag) => tag.name).includes(name)) continue
      let tag = Tag.query.filter_by({ name }).first()
      if (tag === null) {
        tag = new Tag({ name })
        db.session.add(tag)
      }
      tags.push(tag)
    }
    return tags
  }

  const post_tags = new TableExpression(db.tableMeta('post_tags'))

  /** models.py's tag_counts(prefix=None), as the translator writes it. */
  function tag_counts(prefix: string | null = null): readonly unknown[][] {
    const post_count = func.count(post_tags.c.post_id)
    let query = db.session.query(column(Tag, 'name'), post_count).outerjoin(post_tags, sqlCompare('eq', column(Tag, 'id'), post_tags.c.tag_id) as Criterion)
    if (prefix) query = query.filter(column(Tag, 'name').like(`${strMethods.lower(prefix)}%`))
    return query.group_by(column(Tag, 'id')).order_by(post_count.desc(), column(Tag, 'name')).all()
  }

  const c = {
    postDay: column(Post, 'day'),
    postId: column(Post, 'id'),
    postTitle: column(Post, 'title'),
    postAuthorId: column(Post, 'author_id'),
    username: column(User, 'username'),
  }
  return { db, User, Tag, Post, Comment, get_or_create_tags, tag_counts, c }
}

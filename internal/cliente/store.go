package cliente

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/sync/singleflight"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/kantuta/kantuta/internal/database"
)

// Store errors the handler maps to HTTP.
var (
	ErrNotFound    = errors.New("cliente not found")
	ErrDuplicate   = errors.New("another live cliente has that ruc/cedula")
	ErrUnknownCity = errors.New("unknown ct_codigo")
)

// PageSize is the number of customers per page of the listing.
const PageSize = 20

// The states are written into the SQL, not bound: the indexes are partial
// on them, and PostgreSQL cannot use a partial index for a prepared
// statement's generic plan when the predicate is a parameter.
const (
	activo     = "cli_estado = 'ACT'"
	noInactivo = "cli_estado <> 'INA'"
)

// SearchLimit is the most results a search answers.
const SearchLimit = 10

// searchCandidates bounds how many substring matches are ranked per search,
// so that a very common term costs the same as a rare one.
const searchCandidates = 200

// Store keeps customers and cities.
type Store struct {
	db     *database.DB
	now    func() time.Time
	active activeCount
}

// activeCount caches how many customers are active: counting a million
// rows costs a third of a second on PostgreSQL, and every list page needs
// the total. One count runs at a time (single flight); a stale total is
// served while a fresh one is counted in the background. This process's
// own writes make the next page wait for an exact count; another
// replica's writes show within activeCountTTL.
type activeCount struct {
	mu     sync.Mutex
	n      int64
	at     time.Time // when n was counted; zero: no usable value
	exact  bool      // false after a write here: the next read must wait
	writes uint64    // writes seen; a count that overlapped one is not exact
	flight singleflight.Group
}

const activeCountTTL = 5 * time.Second

func (c *activeCount) forget() {
	c.mu.Lock()
	c.exact = false
	c.writes++
	c.mu.Unlock()
}

// total returns the active count, counting with count() when needed.
func (c *activeCount) total(ctx context.Context, count func(context.Context) (int64, error)) (int64, error) {
	c.mu.Lock()
	n, at, exact := c.n, c.at, c.exact
	c.mu.Unlock()
	refresh := func() (any, error) {
		// Detached from the request: a cancelled caller must not fail the others.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		c.mu.Lock()
		started, writes := time.Now(), c.writes
		c.mu.Unlock()
		v, err := count(ctx)
		if err == nil {
			c.mu.Lock()
			if !c.at.After(started) {
				c.n, c.at, c.exact = v, started, c.writes == writes
			}
			c.mu.Unlock()
		}
		return v, err
	}
	switch {
	case !at.IsZero() && exact && time.Since(at) < activeCountTTL:
		return n, nil
	case !at.IsZero() && exact:
		go c.flight.Do("count", refresh) // stale while revalidating
		return n, nil
	}
	v, err, _ := c.flight.Do("count", refresh)
	if err != nil {
		return 0, err
	}
	return v.(int64), nil
}

// NewStore builds a Store on db.
func NewStore(db *database.DB) *Store {
	return &Store{db: db, now: database.Now}
}

// Ciudades lists every city by country and name.
func (s *Store) Ciudades(ctx context.Context) ([]Ciudad, error) {
	var out []Ciudad
	if err := s.db.WithContext(ctx).Order("pais, nombre").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list ciudades: %w", err)
	}
	return out, nil
}

// CityExists reports whether ct_codigo names a city.
func (s *Store) CityExists(ctx context.Context, code string) (bool, error) {
	var n int64
	if err := s.db.WithContext(ctx).Model(&Ciudad{}).Where("ct_codigo = ?", code).Count(&n).Error; err != nil {
		return false, fmt.Errorf("ciudad %q: %w", code, err)
	}
	return n > 0, nil
}

// reserveCodes hands out n new code numbers inside tx: a sequence on
// PostgreSQL; on SQLite a counter row bumped in the same (immediate, hence
// serialised) write transaction as the insert.
func (s *Store) reserveCodes(tx *gorm.DB, n int) ([]int64, error) {
	out := make([]int64, 0, n)
	if s.db.IsPostgres() {
		if err := tx.Raw("SELECT nextval('cliente_codigo_seq') FROM generate_series(1, ?)", n).Scan(&out).Error; err != nil {
			return nil, fmt.Errorf("reserve codes: %w", err)
		}
		return out, nil
	}
	var last int64
	if err := tx.Raw("UPDATE cliente_codigo_seq SET value = value + ? WHERE name = 'cliente' RETURNING value", n).Scan(&last).Error; err != nil {
		return nil, fmt.Errorf("reserve codes: %w", err)
	}
	for i := last - int64(n) + 1; i <= last; i++ {
		out = append(out, i)
	}
	return out, nil
}

// Create gives c a new code and inserts it, active, in one transaction.
func (s *Store) Create(ctx context.Context, c *Cliente) error {
	defer s.active.forget() // after the write: the active count may change
	now := s.now()
	c.NombreNorm = database.SearchForm(c.Nombre)
	c.Estado = EstadoActivo
	c.FechaAlta, c.FechaBaja, c.CreatedAt, c.UpdatedAt = now, nil, now, now
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		nums, err := s.reserveCodes(tx, 1)
		if err != nil {
			return err
		}
		c.Codigo = FormatCodigo(nums[0])
		return tx.Create(c).Error
	})
	return s.writeError("create cliente", err)
}

func (s *Store) writeError(op string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ErrNotFound):
		return err
	case database.IsUniqueViolation(err):
		return ErrDuplicate
	case database.IsForeignKeyViolation(err):
		return ErrUnknownCity
	}
	return fmt.Errorf("%s: %w", op, err)
}

// ByCodigo returns one customer in any estado.
func (s *Store) ByCodigo(ctx context.Context, codigo string) (Cliente, error) {
	return s.take(s.db.WithContext(ctx), codigo)
}

func (s *Store) take(tx *gorm.DB, codigo string) (Cliente, error) {
	var c Cliente
	if !ValidCodigo(codigo) {
		return c, ErrNotFound
	}
	err := tx.Where("cli_codigo = ?", codigo).Take(&c).Error
	if database.IsNotFound(err) {
		return c, ErrNotFound
	}
	if err != nil {
		return c, fmt.Errorf("cliente %s: %w", codigo, err)
	}
	return c, nil
}

// List returns one page (1-based) of active customers by name, and how many
// active customers there are.
func (s *Store) List(ctx context.Context, page int) ([]Cliente, int64, error) {
	db := s.db.WithContext(ctx)
	total, err := s.active.total(ctx, func(ctx context.Context) (int64, error) {
		var n int64
		err := s.db.WithContext(ctx).Model(&Cliente{}).Where(activo).Count(&n).Error
		return n, err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("count clientes: %w", err)
	}
	out := []Cliente{}
	offset := int64(page-1) * PageSize
	if offset >= total {
		return out, total, nil
	}
	// Deferred join: the page's codes come from the covering index alone
	// (no table read for the skipped rows), then only 20 rows are fetched.
	ids := db.Model(&Cliente{}).Select("cli_codigo").Where(activo).Order("cli_nombre, cli_codigo").
		Limit(PageSize).Offset(int(offset))
	err = db.Table("cliente AS c").Select("c.*").Joins("JOIN (?) AS p ON p.cli_codigo = c.cli_codigo", ids).
		Order("c.cli_nombre, c.cli_codigo").Find(&out).Error
	if err != nil {
		return nil, 0, fmt.Errorf("list clientes: %w", err)
	}
	return out, total, nil
}

// Options calls fn with every active customer's code and name, by name,
// one row at a time.
func (s *Store) Options(ctx context.Context, fn func(Option) error) error {
	rows, err := s.db.WithContext(ctx).Model(&Cliente{}).Select("cli_codigo, cli_nombre").
		Where(activo).Order("cli_nombre, cli_codigo").Rows()
	if err == nil {
		err = database.EachRow(rows, func(r *sql.Rows) (Option, error) {
			var o Option
			err := r.Scan(&o.Codigo, &o.Nombre)
			return o, err
		}, fn)
	}
	if err != nil {
		return fmt.Errorf("cliente options: %w", err)
	}
	return nil
}

// Search finds customers not inactive whose name contains term, ignoring
// case and accents; % and _ are literal. Names starting with the term come
// first (by name), then names with a word starting with it, then the rest.
func (s *Store) Search(ctx context.Context, term string) ([]Cliente, error) {
	q := database.SearchForm(term)
	out := []Cliente{}
	if q == "" || utf8.RuneCountInString(q) > 120 {
		return out, nil
	}
	db := s.db.WithContext(ctx)
	// 1. Prefix matches: a range on the btree of the normalised name, read
	// in order, so it stops after SearchLimit rows however many match.
	err := db.Where(noInactivo+" AND cli_nombre_norm >= ? AND cli_nombre_norm < ?", q, prefixUpper(q)).
		Order("cli_nombre_norm, cli_codigo").Limit(SearchLimit).Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("search prefix: %w", err)
	}
	if len(out) == SearchLimit {
		return out, nil
	}
	// 2. PostgreSQL: names with a later word starting with q (a surname),
	// from btree indexes on words 2–4, each read in order and stopped after
	// SearchLimit rows, so a common surname costs no more than a rare one.
	if s.db.IsPostgres() && !strings.ContainsAny(q, " ") && !hasSymbols(q) {
		words, err := s.wordStarts(db, q, out)
		if err != nil {
			return nil, err
		}
		if out = append(out, words...); len(out) >= SearchLimit {
			return out[:SearchLimit], nil
		}
	}
	// 3. Other substring matches, from the trigram index: at most
	// searchCandidates of them, ranked word-prefix first, then by name.
	var rest []Cliente
	inner := s.substringMatches(db, q)
	err = db.Table("(?) AS m", inner).
		Order(clause.OrderBy{Expression: clause.Expr{
			SQL:  "CASE WHEN m.cli_nombre_norm LIKE ? ESCAPE '\\' THEN 0 ELSE 1 END, m.cli_nombre_norm, m.cli_codigo",
			Vars: []any{"% " + database.EscapeLike(q) + "%"}, WithoutParentheses: true,
		}}).
		Limit(SearchLimit + len(out)).Find(&rest).Error
	if err != nil {
		return nil, fmt.Errorf("search substring: %w", err)
	}
	seen := make(map[string]bool, len(out))
	for _, c := range out {
		seen[c.Codigo] = true
	}
	for _, c := range rest {
		if len(out) == SearchLimit {
			break
		}
		if !seen[c.Codigo] {
			out = append(out, c)
		}
	}
	return out, nil
}

// hasSymbols reports whether a normalised term has a character other than
// a-z, 0-9 and space: such terms cannot use trigrams, but every name they
// match has a symbol too, and those few names have an index of their own.
func hasSymbols(q string) bool {
	return strings.ContainsFunc(q, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == ' ')
	})
}

// wordStarts returns up to SearchLimit active customers whose 2nd, 3rd or
// 4th word starts with q, by name, leaving out those already found.
func (s *Store) wordStarts(db *gorm.DB, q string, found []Cliente) ([]Cliente, error) {
	parts := make([]string, 0, 3)
	vars := make([]any, 0, 6)
	for k := 2; k <= 4; k++ {
		w := fmt.Sprintf("split_part(cli_nombre_norm, ' ', %d)", k)
		parts = append(parts, fmt.Sprintf("(SELECT * FROM cliente WHERE cli_estado <> 'INA' AND %[1]s >= ? AND %[1]s < ? ORDER BY %[1]s, cli_codigo LIMIT %[2]d)", w, SearchLimit))
		vars = append(vars, q, prefixUpper(q))
	}
	var rows []Cliente
	if err := db.Raw(strings.Join(parts, " UNION ALL "), vars...).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("search word starts: %w", err)
	}
	seen := make(map[string]bool, len(found)+len(rows))
	for _, c := range found {
		seen[c.Codigo] = true
	}
	out := rows[:0]
	for _, c := range rows {
		if !seen[c.Codigo] {
			seen[c.Codigo] = true
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].NombreNorm != out[j].NombreNorm {
			return out[i].NombreNorm < out[j].NombreNorm
		}
		return out[i].Codigo < out[j].Codigo
	})
	if len(out) > SearchLimit-len(found) {
		out = out[:SearchLimit-len(found)]
	}
	return out, nil
}

// substringMatches selects up to searchCandidates customers, not inactive
// and not prefix matches, whose normalised name contains q.
func (s *Store) substringMatches(db *gorm.DB, q string) *gorm.DB {
	notPrefix := "NOT (c.cli_nombre_norm >= ? AND c.cli_nombre_norm < ?)"
	if !s.db.IsPostgres() && utf8.RuneCountInString(q) >= 3 {
		// FTS5 trigram phrase = substring; quotes make every character literal.
		phrase := `"` + strings.ReplaceAll(q, `"`, `""`) + `"`
		return db.Table("cliente_fts AS f").Select("c.*").
			Joins("JOIN cliente AS c ON c.cli_codigo = f.cli_codigo").
			Where("cliente_fts MATCH ? AND c."+noInactivo, phrase).
			Where(notPrefix, q, prefixUpper(q)).Limit(searchCandidates)
	}
	// PostgreSQL: the pg_trgm GIN index serves LIKE '%…%' (backslash is its
	// default escape); a term with symbols reads the small index of names
	// that have symbols (the predicate must match the index's word for word).
	// SQLite, under 3 characters: a scan, which FTS5 cannot help.
	like := "c.cli_nombre_norm LIKE ?"
	if !s.db.IsPostgres() {
		like += ` ESCAPE '\'`
	} else if hasSymbols(q) {
		like += ` AND c.cli_nombre_norm ~ '[^a-z0-9 ]'`
	}
	return db.Table("cliente AS c").Select("c.*").
		Where("c."+noInactivo).Where(like, "%"+database.EscapeLike(q)+"%").
		Where(notPrefix, q, prefixUpper(q)).Limit(searchCandidates)
}

// Update applies change to the customer under a row lock and saves it, in
// one transaction; change may refuse with an error (returned as is).
func (s *Store) Update(ctx context.Context, codigo string, change func(*Cliente) error) (Cliente, error) {
	defer s.active.forget() // after the write: the active count may change
	var c Cliente
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		if c, err = s.take(s.lock(tx), codigo); err != nil {
			return err
		}
		before := c
		if err := change(&c); err != nil {
			return err
		}
		changes := map[string]any{}
		if c.Nombre != before.Nombre {
			// Only then: on SQLite a write to it also rewrites the FTS row.
			c.NombreNorm = database.SearchForm(c.Nombre)
			changes["cli_nombre"], changes["cli_nombre_norm"] = c.Nombre, c.NombreNorm
		}
		switch {
		case c.Estado == EstadoInactivo && before.Estado != EstadoInactivo:
			now := s.now()
			c.FechaBaja = &now
		case c.Estado != EstadoInactivo:
			c.FechaBaja = nil
		}
		c.UpdatedAt = s.now()
		for k, v := range map[string]any{
			"ct_codigo": c.CtCodigo, "cli_ruc_ced": c.RucCed, "cli_telefono": c.Telefono, "cli_mail": c.Mail,
			"cli_direccion": c.Direccion, "cli_celular": c.Celular, "cli_estado": c.Estado,
			"cli_fecha_baja": c.FechaBaja, "updated_at": c.UpdatedAt,
		} {
			changes[k] = v
		}
		return tx.Model(&Cliente{}).Where("cli_codigo = ?", c.Codigo).Updates(changes).Error
	})
	if err != nil {
		return Cliente{}, s.writeError("update cliente", err)
	}
	return c, nil
}

// Delete soft-deletes a customer: estado INA and cli_fecha_baja set, its
// cli_fecha_alta kept. Deleting an inactive customer changes nothing.
func (s *Store) Delete(ctx context.Context, codigo string) error {
	defer s.active.forget() // after the write: the active count may change
	_, err := s.Update(ctx, codigo, func(c *Cliente) error {
		c.Estado = EstadoInactivo
		return nil
	})
	return err
}

// lock takes a row lock on PostgreSQL; SQLite's immediate transactions
// already hold the database's write lock.
func (s *Store) lock(tx *gorm.DB) *gorm.DB {
	if s.db.IsPostgres() {
		return tx.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	return tx
}

package cliente

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"gorm.io/gorm"

	"github.com/kantuta/kantuta/internal/database"
)

// Demo data: common Ecuadorian and Bolivian given names and surnames.
var (
	demoGiven = strings.Fields(`María José Juan Luis Carlos Ana Rosa Jorge Pedro Miguel Sofía Lucía
		Valentina Camila Daniela Andrea Gabriela Paola Verónica Patricia Fernanda Alejandra Carmen Elena
		Isabel Mónica Diana Carolina Natalia Jimena Martín Andrés Diego Fernando Ricardo Francisco Javier
		Sebastián Mateo Santiago Nicolás Alejandro Manuel Antonio Raúl Víctor Édgar Héctor Óscar Iván
		Marco Pablo Esteban Tomás Gustavo Wilson Byron Segundo Rocío Inés Mercedes Gloria Susana Ximena
		Belén Dolores Pilar Ángel Julio César Eduardo Ramiro Hugo Germán Fabián Mauricio Rodrigo`)
	demoSurnames = strings.Fields(`Pérez González Rodríguez López Martínez Sánchez Ramírez Torres
		Flores Rivera Gómez Díaz Cruz Morales Reyes Gutiérrez Ortiz Chávez Ruiz Jiménez Mendoza Vásquez
		Castillo Romero Herrera Medina Aguilar Vargas Castro Guerrero Ramos Zambrano Andrade Cedeño
		Bravo Mora Suárez Salazar Paredes Villacís Quispe Mamani Condori Choque Huanca Limachi Apaza
		Cevallos Benítez Espinoza Guamán Chicaiza Toapanta Yánez Naranjo Carrión Montalvo Córdova Núñez
		Alvarado Molina Ponce Delgado Calderón Montenegro Figueroa Robles Maldonado Peñafiel Ibáñez
		Acosta Villalobos Sarmiento Álvarez Muñoz Orellana Loor Macías Zurita Tapia Ordóñez Viteri`)
	demoStreets = strings.Fields(`Amazonas Colón Bolívar Sucre Olmedo Rocafuerte Chile Ayacucho
		Shyris Eloy-Alfaro Universitaria Patria América Mariscal Junín Loja Illimani Arce Camacho`)
	demoDomains = []string{"gmail.com", "hotmail.com", "yahoo.com", "outlook.com", "example.com"}
)

// SeedBatch is how many customers each insert (or COPY) carries.
const SeedBatch = 10_000

// SeedDemo inserts n demo customers: realistic names, valid and distinct
// cédulas, cities from the ciudad table, calling progress with the number
// inserted so far. Codes come from the same sequence or counter as Create,
// so they never collide with real ones.
//
// On PostgreSQL the whole seed is one transaction (all of it or nothing):
// batches of SeedBatch written with COPY while the next one is generated,
// and, for a large seed, without the cliente table's secondary indexes and
// foreign key, made again before the commit (database.DropForBulkLoad). On
// SQLite each batch is a transaction of multi-row INSERTs.
func (s *Store) SeedDemo(ctx context.Context, n int, progress func(done int)) error {
	cities, err := s.Ciudades(ctx)
	if err != nil {
		return err
	}
	if len(cities) == 0 {
		return errors.New("seed: the ciudad table is empty")
	}
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 42))
	build := func(code int64) Cliente { return demoCliente(rng, code, cities) }
	if s.db.IsPostgres() {
		if err := s.seedPostgres(ctx, n, build, progress); err != nil {
			return s.writeError("seed clientes", err)
		}
		return s.afterBulk(ctx)
	}
	for done := 0; done < n; {
		size := min(SeedBatch, n-done)
		err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			nums, err := s.reserveCodes(tx, size)
			if err != nil {
				return err
			}
			rows := make([]Cliente, size)
			for i, num := range nums {
				rows[i] = build(num)
			}
			return tx.CreateInBatches(rows, 500).Error
		})
		if err != nil {
			return s.writeError(fmt.Sprintf("seed batch at %d", done), err)
		}
		done += size
		if progress != nil {
			progress(done)
		}
	}
	return s.afterBulk(ctx)
}

// seedBulkThreshold: a PostgreSQL seed of at least this many customers
// loads without the table's secondary indexes and foreign key and makes them
// again after loading, unless the table already holds more than
// seedBulkExisting times as many (rebuilding would then cost more than it
// saves). 1,000,000 customers on 2 cores: 116 s with ten of the table's
// twelve indexes maintained row by row, see docs/performance.md for without.
var seedBulkThreshold = 50_000

const seedBulkExisting = 10

// seedPostgres writes n customers in one transaction. The generator runs
// one batch ahead of the COPY, on the other core.
func (s *Store) seedPostgres(ctx context.Context, n int, build func(code int64) Cliente, progress func(done int)) error {
	return s.db.PgxTx(ctx, func(tx pgx.Tx) error {
		// One commit at the end: it need not wait for the WAL flush (a
		// crash before it loses the seed, which a rollback does anyway).
		if _, err := tx.Exec(ctx, "SET LOCAL synchronous_commit = off"); err != nil {
			return err
		}
		var existing int64
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM cliente").Scan(&existing); err != nil {
			return err
		}
		var restore []string
		if n >= seedBulkThreshold && existing <= seedBulkExisting*int64(n) {
			var err error
			if restore, err = database.DropForBulkLoad(ctx, tx, "cliente"); err != nil {
				return err
			}
		}
		codes, err := reserveCodesPgx(ctx, tx, n)
		if err != nil {
			return err
		}
		gen := func(done, size int) [][]any {
			rows := make([][]any, size)
			for i, code := range codes[done : done+size] {
				c := build(code)
				rows[i] = []any{c.Codigo, c.CtCodigo, c.Nombre, c.NombreNorm, c.RucCed, c.Telefono, c.Mail,
					c.Direccion, c.Celular, c.Estado, c.FechaAlta, c.CreatedAt, c.UpdatedAt}
			}
			return rows
		}
		load := func(rows [][]any) error {
			_, err := tx.CopyFrom(ctx, pgx.Identifier{"cliente"}, copyColumns, pgx.CopyFromRows(rows))
			return err
		}
		if err := database.LoadInBatches(ctx, n, SeedBatch, gen, load, progress); err != nil {
			return err
		}
		return database.RestoreAfterBulkLoad(ctx, tx, restore)
	})
}

// reserveCodesPgx takes n numbers from the sequence Create uses.
func reserveCodesPgx(ctx context.Context, tx pgx.Tx, n int) ([]int64, error) {
	codes := make([]int64, 0, n)
	rows, err := tx.Query(ctx, "SELECT nextval('cliente_codigo_seq') FROM generate_series(1, $1)", n)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var c int64
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		codes = append(codes, c)
	}
	return codes, rows.Err()
}

// afterBulk folds the freshly written rows into the search indexes (the
// GIN pending list, the FTS5 segments) and refreshes the planner statistics
// and the visibility map, so the first searches after a seed are as fast as
// later ones.
func (s *Store) afterBulk(ctx context.Context) error {
	stmts := []string{"VACUUM ANALYZE cliente"}
	if !s.db.IsPostgres() {
		stmts = []string{"INSERT INTO cliente_fts (cliente_fts) VALUES ('optimize')", "ANALYZE"}
	}
	for _, q := range stmts {
		if err := s.db.WithContext(ctx).Exec(q).Error; err != nil {
			return fmt.Errorf("after seed: %s: %w", q, err)
		}
	}
	return nil
}

var copyColumns = []string{"cli_codigo", "ct_codigo", "cli_nombre", "cli_nombre_norm", "cli_ruc_ced",
	"cli_telefono", "cli_mail", "cli_direccion", "cli_celular", "cli_estado", "cli_fecha_alta",
	"created_at", "updated_at"}

func demoCliente(rng *rand.Rand, code int64, cities []Ciudad) Cliente {
	pick := func(list []string) string { return list[rng.IntN(len(list))] }
	given, surname := pick(demoGiven), pick(demoSurnames)
	name := given
	if rng.IntN(10) < 4 {
		name += " " + pick(demoGiven)
	}
	name += " " + surname + " " + pick(demoSurnames)
	mailUser := database.SearchForm(given + "." + surname)
	mail := fmt.Sprintf("%s%d@%s", mailUser, code%1000, pick(demoDomains))
	addr := fmt.Sprintf("Av. %s N%d-%d", strings.ReplaceAll(pick(demoStreets), "-", " "), rng.IntN(90)+1, rng.IntN(300)+1)
	cell := fmt.Sprintf("09%08d", rng.IntN(100_000_000))
	now := database.Now()
	return Cliente{
		Codigo: FormatCodigo(code), CtCodigo: cities[rng.IntN(len(cities))].CtCodigo,
		Nombre: name, NombreNorm: database.SearchForm(name), RucCed: CedulaFor(code),
		Telefono: fmt.Sprintf("0%d%08d", rng.IntN(6)+2, rng.IntN(100_000_000)), Mail: mail,
		Direccion: &addr, Celular: &cell, Estado: EstadoActivo,
		FechaAlta: now, CreatedAt: now, UpdatedAt: now,
	}
}

// Count returns how many customers there are, in any estado.
func (s *Store) Count(ctx context.Context) (int64, error) {
	var n int64
	if err := s.db.WithContext(ctx).Model(&Cliente{}).Count(&n).Error; err != nil {
		return 0, fmt.Errorf("count clientes: %w", err)
	}
	return n, nil
}

// DeleteAll deletes every customer (kantuta seed demo --reset); codes are
// not reused afterwards. Refused when other records reference customers.
func (s *Store) DeleteAll(ctx context.Context) (int64, error) {
	defer s.active.forget()
	res := s.db.WithContext(ctx).Exec("DELETE FROM cliente")
	if res.Error != nil {
		if database.IsForeignKeyViolation(res.Error) {
			return 0, errors.New("other records (ventas, …) reference these clientes: they cannot be deleted")
		}
		return 0, fmt.Errorf("delete clientes: %w", res.Error)
	}
	return res.RowsAffected, nil
}

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
// cédulas, cities from the ciudad table; in batches, each one transaction,
// calling progress with the number inserted so far. Codes come from the
// same sequence or counter as Create, so they never collide with real ones.
func (s *Store) SeedDemo(ctx context.Context, n int, progress func(done int)) (err error) {
	cities, err := s.Ciudades(ctx)
	if err != nil {
		return err
	}
	if len(cities) == 0 {
		return errors.New("seed: the ciudad table is empty")
	}
	if s.db.IsPostgres() && n >= bulkIndexThreshold {
		// Maintaining the phone indexes row by row during the COPY costs
		// more than building them once after it (1,000,000 rows: 84 s → see
		// docs/performance.md); they are rebuilt even when the seed fails.
		if err := s.db.WithContext(ctx).Exec(dropPhoneIndexes).Error; err != nil {
			return fmt.Errorf("seed: drop phone indexes: %w", err)
		}
		defer func() {
			if ierr := s.db.Exec(createPhoneIndexes).Error; ierr != nil && err == nil {
				err = fmt.Errorf("seed: rebuild phone indexes: %w", ierr)
			}
		}()
	}
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 42))
	for done := 0; done < n; {
		size := min(SeedBatch, n-done)
		if s.db.IsPostgres() {
			err = s.copyBatch(ctx, size, func(code int64) Cliente { return demoCliente(rng, code, cities) })
		} else {
			err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
				nums, err := s.reserveCodes(tx, size)
				if err != nil {
					return err
				}
				rows := make([]Cliente, size)
				for i, num := range nums {
					rows[i] = demoCliente(rng, num, cities)
				}
				return tx.CreateInBatches(rows, 500).Error
			})
		}
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

// The phone indexes of migration 00010, which a large PostgreSQL seed
// builds once after loading instead of row by row.
const (
	bulkIndexThreshold = 50_000
	dropPhoneIndexes   = "DROP INDEX IF EXISTS cliente_telefono_idx; DROP INDEX IF EXISTS cliente_celular_idx"
	createPhoneIndexes = "CREATE INDEX IF NOT EXISTS cliente_telefono_idx ON cliente (cli_telefono) WHERE cli_estado <> 'INA'; " +
		"CREATE INDEX IF NOT EXISTS cliente_celular_idx ON cliente (cli_celular) WHERE cli_estado <> 'INA'"
)

// afterBulk folds the freshly written rows into the search indexes (the
// GIN pending list, the FTS5 segments) and refreshes the planner statistics,
// so the first searches after a seed are as fast as later ones.
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

// copyBatch reserves size codes and COPYs that many rows in one transaction
// over the pool's underlying pgx connection: far faster than INSERTs.
func (s *Store) copyBatch(ctx context.Context, size int, build func(code int64) Cliente) error {
	return s.db.PgxTx(ctx, func(tx pgx.Tx) error {
		codes := make([]int64, 0, size)
		rows, err := tx.Query(ctx, "SELECT nextval('cliente_codigo_seq') FROM generate_series(1, $1)", size)
		if err != nil {
			return err
		}
		for rows.Next() {
			var c int64
			if err := rows.Scan(&c); err != nil {
				return err
			}
			codes = append(codes, c)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		data := make([][]any, len(codes))
		for i, code := range codes {
			c := build(code)
			data[i] = []any{c.Codigo, c.CtCodigo, c.Nombre, c.NombreNorm, c.RucCed, c.Telefono, c.Mail,
				c.Direccion, c.Celular, c.Estado, c.FechaAlta, c.CreatedAt, c.UpdatedAt}
		}
		_, err = tx.CopyFrom(ctx, pgx.Identifier{"cliente"}, copyColumns, pgx.CopyFromRows(data))
		return err
	})
}

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

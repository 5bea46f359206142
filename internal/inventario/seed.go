package inventario

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/kantuta/kantuta/internal/database"
	"github.com/kantuta/kantuta/internal/money"
)

// Demo catalogue: categories and the words product names are made of.
var (
	demoCategorias = []string{"Bebidas", "Snacks", "Cargadores", "Fundas", "Audífonos", "Cables", "Limpieza", "Lácteos",
		"Abarrotes", "Golosinas", "Papelería", "Higiene"}
	demoNombres = strings.Fields(`Agua Gaseosa Jugo Galletas Papas Chocolate Cargador Funda Audífono Cable Detergente Leche
		Yogur Arroz Azúcar Fideo Caramelo Cuaderno Lapicero Jabón Champú Pasta Cepillo Batería Memoria Mouse Teclado`)
	demoMarcas = strings.Fields(`Andina Kantuta Illimani Sajama Titicaca Pil Cóndor Tunari Uyuni Chaco Yungas Potosí Oruro`)
)

// SeedBatch is how many products each insert carries.
const SeedBatch = 500

// SeedDemo inserts n demo products (with their ALTA movements, so the
// stock invariant holds) in the demo categories, creating those that are
// missing; in batches, each one transaction, calling progress with the
// number inserted so far. Seeded products that start low get their flag
// set without alert mails: demo data should not flood the outbox.
func SeedDemo(ctx context.Context, db *database.DB, n int, progress func(done int)) error {
	cats, err := demoCategoryIDs(ctx, db)
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	now := db.NowSQL()
	for done := 0; done < n; {
		size := min(SeedBatch, n-done)
		err := db.Tx(ctx, func(tx *gorm.DB) error {
			var base int64
			if err := tx.Raw("SELECT COALESCE(MAX(id), 0) FROM producto").Scan(&base).Error; err != nil {
				return err
			}
			var sb strings.Builder
			args := make([]any, 0, size*10)
			sb.WriteString("INSERT INTO producto (nombre, nombre_key, nombre_norm, codigo_barras, precio_venta, costo_compra, stock_actual, " +
				"stock_minimo, id_categoria, alerta_stock_bajo, created_at, updated_at) VALUES ")
			for i := 0; i < size; i++ {
				seq := base + int64(i) + 1
				nombre := fmt.Sprintf("%s %s %d", demoNombres[rng.IntN(len(demoNombres))], demoMarcas[rng.IntN(len(demoMarcas))], seq)
				costo := money.Cents(50 + rng.IntN(20000))
				precio := costo + costo.Percent(int64(1000+rng.IntN(4000)))
				stock, minimo := int64(rng.IntN(120)), int64(1+rng.IntN(10))
				if i > 0 {
					sb.WriteString(", ")
				}
				sb.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, " + now + ", " + now + ")")
				args = append(args, nombre, nameKey(nombre), database.SearchForm(nombre), fmt.Sprintf("779%010d", seq),
					db.Money(precio), db.Money(costo), stock, minimo, cats[rng.IntN(len(cats))], stock <= minimo)
			}
			if err := tx.Exec(sb.String(), args...).Error; err != nil {
				return err
			}
			return tx.Exec("INSERT INTO movimiento_stock (id_producto, tipo, cantidad, stock_resultante, created_at) "+
				"SELECT id, 'ALTA', stock_actual, stock_actual, "+now+" FROM producto WHERE id > ? AND stock_actual > 0", base).Error
		})
		if err != nil {
			return fmt.Errorf("seed productos at %d: %w", done, err)
		}
		done += size
		if progress != nil {
			progress(done)
		}
	}
	if db.IsPostgres() {
		return db.WithContext(ctx).Exec("ANALYZE producto").Error
	}
	return nil
}

// demoCategoryIDs returns the ids of the active demo categories, creating
// the missing ones.
func demoCategoryIDs(ctx context.Context, db *database.DB) ([]int64, error) {
	var ids []int64
	err := db.Tx(ctx, func(tx *gorm.DB) error {
		ids = ids[:0]
		for _, c := range demoCategorias {
			var id int64
			res := tx.Raw("SELECT id FROM categoria WHERE nombre_key = ? AND estado", nameKey(c)).Scan(&id)
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected == 0 {
				if err := tx.Raw("INSERT INTO categoria (nombre, nombre_key, created_at, updated_at) VALUES (?, ?, "+db.NowSQL()+", "+db.NowSQL()+") RETURNING id",
					c, nameKey(c)).Row().Scan(&id); err != nil {
					return err
				}
			}
			ids = append(ids, id)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("seed categorias: %w", err)
	}
	return ids, nil
}

package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/kantuta/kantuta/internal/reporte"
)

// reportes runs `kantuta reportes rebuild`: the §14.4 aggregates from the
// raw ventas, with the day keys of KANTUTA_TZ (needed after changing it).
func reportes(args []string, stdout io.Writer) error {
	if len(args) != 1 || args[0] != "rebuild" {
		return fmt.Errorf("usage: kantuta reportes rebuild")
	}
	ctx := context.Background()
	cfg, db, err := open(ctx, true)
	if err != nil {
		return err
	}
	defer db.Close()
	start := time.Now()
	st, err := reporte.Rebuild(ctx, db, cfg.Location)
	if err != nil {
		return fmt.Errorf("reportes rebuild: %w", err)
	}
	fmt.Fprintf(stdout, "reportes rebuilt in %s (%s): %d ventas, %d lines → %d resumen_ventas_dia rows, %d resumen_producto_mes rows\n",
		time.Since(start).Round(time.Millisecond), cfg.Location, st.Ventas, st.Lineas, st.Dias, st.Productos)
	return nil
}

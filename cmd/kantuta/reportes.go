package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/kantuta/kantuta/internal/reporte"
)

// reportes runs `kantuta reportes rebuild`: the §14.4 aggregates from the
// raw ventas, with the day keys of KANTUTA_TZ (needed after changing it).
func reportes(args []string, stdout io.Writer) error {
	const u = "Usage: kantuta reportes rebuild\n\nRecomputes the report aggregates (resumen_ventas_dia, resumen_producto_mes,\nresumen_producto_anio) from the ventas, in the business days of KANTUTA_TZ; run it\nafter changing KANTUTA_TZ.\n"
	if len(args) > 0 && isHelp(args[0]) {
		fmt.Fprint(stdout, u)
		return nil
	}
	if len(args) == 0 || args[0] != "rebuild" {
		return &usageError{"reportes needs rebuild", u}
	}
	if err := parseFlags(flag.NewFlagSet("reportes rebuild", flag.ContinueOnError), args[1:], u, stdout); err != nil {
		return err
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
	fmt.Fprintf(stdout, "reportes rebuilt in %s (%s): %d ventas, %d lines → %d resumen_ventas_dia rows, %d resumen_producto_mes rows, %d resumen_producto_anio rows\n",
		time.Since(start).Round(time.Millisecond), cfg.Location, st.Ventas, st.Lineas, st.Dias, st.Productos, st.ProductosAnio)
	return nil
}

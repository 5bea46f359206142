package inventario

// SetTestHookCategoriasRead sets the hook run between the product list's
// category and product reads; nil removes it.
func SetTestHookCategoriasRead(f func()) { testHookCategoriasRead = f }

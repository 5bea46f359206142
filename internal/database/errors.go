package database

import (
	"errors"
	"strings"

	"gorm.io/gorm"
)

// IsUniqueViolation reports whether err is a unique-constraint failure on
// either dialect (GORM translates both to ErrDuplicatedKey).
func IsUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return true
	}
	msg := err.Error()
	return strings.Contains(msg, "UNIQUE constraint failed") || strings.Contains(msg, "SQLSTATE 23505")
}

// IsForeignKeyViolation reports whether err is a foreign-key failure.
func IsForeignKeyViolation(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, gorm.ErrForeignKeyViolated) {
		return true
	}
	msg := err.Error()
	return strings.Contains(msg, "FOREIGN KEY constraint failed") || strings.Contains(msg, "SQLSTATE 23503")
}

// IsNotFound reports whether err means "no such row".
func IsNotFound(err error) bool { return errors.Is(err, gorm.ErrRecordNotFound) }

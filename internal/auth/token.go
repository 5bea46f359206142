package auth

import (
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
)

// Token types, carried in the "typ" claim; an access token is never accepted
// where a refresh token is expected, nor the other way round.
const (
	TypeAccess  = "access"
	TypeRefresh = "refresh"
	issuer      = "kantuta"
)

// ErrInvalidToken covers every reason a token is refused.
var ErrInvalidToken = errors.New("invalid token")

// Claims keep the Nest server's names (sub, username, roleName, roleId) so
// that frontends decoding the token still work. sub is a number for
// usuarios, as Nest sent it, and the UUID for operators.
type Claims struct {
	Sub      any    `json:"sub"`
	Username string `json:"username,omitempty"`
	RoleName string `json:"roleName,omitempty"`
	RoleID   int    `json:"roleId"`
	Kind     Kind   `json:"kind"`
	Type     string `json:"typ"`
	Family   string `json:"fam,omitempty"`
	Version  int    `json:"ver"`
	jwt.RegisteredClaims
}

// GetSubject renders sub as a string whatever its JSON type.
func (c Claims) GetSubject() (string, error) {
	switch v := c.Sub.(type) {
	case string:
		return v, nil
	case float64:
		return strconv.FormatInt(int64(v), 10), nil
	case nil:
		return "", nil
	}
	return fmt.Sprint(c.Sub), nil
}

// Issuer signs and verifies tokens (HS256, distinct keys for access and
// refresh tokens).
type Issuer struct {
	accessKey, refreshKey []byte
	AccessTTL, RefreshTTL time.Duration
	now                   func() time.Time
	verified              verifiedTokens
}

// NewIssuer builds an Issuer; the keys must differ.
func NewIssuer(accessKey, refreshKey []byte, accessTTL, refreshTTL time.Duration) *Issuer {
	return &Issuer{accessKey: accessKey, refreshKey: refreshKey, AccessTTL: accessTTL, RefreshTTL: refreshTTL, now: time.Now}
}

// Subject is what a token is issued for.
type Subject struct {
	Kind     Kind
	ID       string
	Username string
	RoleID   int
	RoleName string
	Family   string // refresh family of the session; empty for none
	Version  int    // the account's token version; bumping it kills older tokens
}

// Issued is a signed token with its id and expiry.
type Issued struct {
	Token     string
	ID        string
	ExpiresAt time.Time
}

func (is *Issuer) sign(s Subject, typ string, ttl time.Duration, key []byte) (Issued, error) {
	now := is.now()
	id := uuid.NewString()
	var sub any = s.ID
	if s.Kind == KindUsuario {
		if n, err := strconv.ParseInt(s.ID, 10, 64); err == nil {
			sub = n
		}
	}
	exp := now.Add(ttl)
	claims := Claims{
		Sub: sub, Username: s.Username, RoleName: s.RoleName, RoleID: s.RoleID,
		Kind: s.Kind, Type: typ, Family: s.Family, Version: s.Version,
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer: issuer, ID: id,
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(exp),
		},
	}
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(key)
	if err != nil {
		return Issued{}, fmt.Errorf("sign %s token: %w", typ, err)
	}
	return Issued{Token: tok, ID: id, ExpiresAt: exp.Truncate(time.Second)}, nil
}

// Access signs an access token.
func (is *Issuer) Access(s Subject) (Issued, error) {
	return is.sign(s, TypeAccess, is.AccessTTL, is.accessKey)
}

// Refresh signs a refresh token; its id is what the refresh store records.
func (is *Issuer) Refresh(s Subject) (Issued, error) {
	return is.sign(s, TypeRefresh, is.RefreshTTL, is.refreshKey)
}

func (is *Issuer) parse(token, typ string, key []byte) (Claims, error) {
	var c Claims
	_, err := jwt.ParseWithClaims(token, &c, func(*jwt.Token) (any, error) { return key, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithIssuer(issuer),
		jwt.WithLeeway(leeway),
		jwt.WithTimeFunc(is.now),
	)
	if err != nil {
		return Claims{}, fmt.Errorf("%w: %v", ErrInvalidToken, err)
	}
	if c.Type != typ {
		return Claims{}, fmt.Errorf("%w: a %q token where %q is expected", ErrInvalidToken, c.Type, typ)
	}
	if c.Kind != KindUsuario && c.Kind != KindOperador {
		return Claims{}, fmt.Errorf("%w: unknown kind %q", ErrInvalidToken, c.Kind)
	}
	if sub, _ := c.GetSubject(); sub == "" || c.ID == "" {
		return Claims{}, fmt.Errorf("%w: missing sub or jti", ErrInvalidToken)
	}
	return c, nil
}

// ParseAccess verifies an access token. A token already verified is not
// parsed again, only its expiry checked: parsing (base64, JSON, HMAC, 57
// allocations) was a sixth of an authenticated GET /usuario/:id.
func (is *Issuer) ParseAccess(token string) (Claims, error) {
	if c, ok := is.verified.get(token); ok {
		if c.ExpiresAt == nil || !is.now().After(c.ExpiresAt.Add(leeway)) {
			return c, nil
		}
		return Claims{}, fmt.Errorf("%w: token has expired", ErrInvalidToken)
	}
	c, err := is.parse(token, TypeAccess, is.accessKey)
	if err == nil {
		is.verified.put(token, c)
	}
	return c, err
}

// leeway is the clock skew tolerated on exp and iat.
const leeway = 5 * time.Second

// verifiedTokens remembers the claims of access tokens whose signature was
// checked. The same string always carries the same claims, so only the
// expiry needs checking again; revocation is the Authenticator's business
// (token version, session family), checked on every request as before.
type verifiedTokens struct {
	mu sync.RWMutex
	m  map[string]Claims
}

// maxVerified bounds the memory: a flood of distinct tokens empties it.
const maxVerified = 4096

func (v *verifiedTokens) get(token string) (Claims, bool) {
	v.mu.RLock()
	c, ok := v.m[token]
	v.mu.RUnlock()
	return c, ok
}

func (v *verifiedTokens) put(token string, c Claims) {
	v.mu.Lock()
	if v.m == nil || len(v.m) >= maxVerified {
		v.m = make(map[string]Claims, 64)
	}
	v.m[token] = c
	v.mu.Unlock()
}

// ParseRefresh verifies a refresh token's signature and expiry (whether it
// is still alive is the refresh store's business).
func (is *Issuer) ParseRefresh(token string) (Claims, error) {
	return is.parse(token, TypeRefresh, is.refreshKey)
}

// Principal turns verified access claims into the caller.
func (c Claims) Principal() Principal {
	sub, _ := c.GetSubject()
	return Principal{Kind: c.Kind, ID: sub, RoleID: c.RoleID, Username: c.Username, Family: c.Family, TokenID: c.ID}
}

# syntax=docker/dockerfile:1
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o /out/kantuta ./cmd/kantuta

FROM gcr.io/distroless/static-debian12:nonroot
WORKDIR /app
COPY --from=build /out/kantuta /app/kantuta
ENV KANTUTA_ADDR=:3000 KANTUTA_DATA_DIR=/app/data
EXPOSE 3000
USER nonroot
ENTRYPOINT ["/app/kantuta"]
CMD ["serve"]

// Package ${{ values.name | replace("-", "") }}: ${{ values.description | replace("\r", " ") | replace("\n", " ") }}
package ${{ values.name | replace("-", "") }}

// Version is the library's version.
const Version = "0.1.0"

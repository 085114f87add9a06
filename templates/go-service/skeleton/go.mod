module github.com/lunarway/${{ values.name }}

go 1.22
{%- if values.rabbitmq %}

require github.com/rabbitmq/amqp091-go v1.10.0
{%- endif %}

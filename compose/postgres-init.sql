CREATE DATABASE registry OWNER pedidos;

"""Offers, weekly availability and the free slots computed from them."""

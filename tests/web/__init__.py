"""Tests of the reference web app through Flask's test client."""

@CSW-APP-2
Feature: No splash-screen ads
  Neither the watch nor its preinstalled apps show an advertisement when they
  open.

  Scenario: Every preinstalled app opens without a splash-screen ad
    Given a watch bound to its guardian
    When the child opens each preinstalled app in the launcher
    Then none of them showed a splash-screen ad

@CSW-PRI-1
Feature: Rules made for children's personal information
  The watch and the guardian's app show rules written for children: what is
  collected and what it is used for. A maker's generic privacy policy does
  not count, and neither do rules that leave out something the watch
  processes. The rules may use any headings, words and language: they are
  held against what the watch is seen to process, not searched for keywords.

  Scenario Outline: The rules are shown to <reader>
    Given a watch bound to its guardian
    When <reader> opens the rules for children's personal information
    Then the watch allows it
    And the rules are written for children

    Examples:
      | reader       |
      | the guardian |
      | the child    |

  Scenario: The rules name everything the watch processes, and what for
    Given a watch bound to its guardian
    When 30 minutes pass
    And the guardian tries to locate the child
    And the guardian tries to open the child's profile
    And the guardian tries to export the child's data
    And the guardian opens the rules for children's personal information
    Then the rules say, with its purpose, every kind of personal information the watch was seen to process
